namespace SeedGrains.Silo.Api;

/// <summary>
/// OpenAI's `stop`: the completion ends before the first occurrence of any stop string. While text streams, the end of
/// the text sent so far could be the start of a stop string that the next step completes, so that tail is held back
/// until it is known either way.
/// </summary>
internal sealed class StopSequences(IReadOnlyList<string> stops)
{
    public bool Any => stops.Count > 0;

    /// <summary>Where the earliest stop string starts in <paramref name="text"/>, or null.</summary>
    public int? FirstIn(string text)
    {
        int? first = null;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first is null || at < first)) first = at;
        }
        return first;
    }

    /// <summary>
    /// How much of <paramref name="text"/> (final so far, more to follow) can be sent: all of it but the longest tail that
    /// is a proper prefix of a stop string. Assumes no stop string occurs in it (<see cref="FirstIn"/> first).
    /// </summary>
    public int Sendable(string text)
    {
        var held = 0;
        foreach (var stop in stops)
            for (var length = Math.Min(stop.Length - 1, text.Length); length > held; length--)
                if (text.EndsWith(stop.AsSpan(0, length), StringComparison.Ordinal))
                {
                    held = length;
                    break;
                }
        return text.Length - held;
    }
}
