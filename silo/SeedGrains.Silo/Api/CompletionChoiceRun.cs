using System.Runtime.CompilerServices;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Silo.Api;

/// <summary>
/// One choice of a completion: a transient session filling the middle between prompt and suffix. Yields the generated
/// text as it becomes final, left to right (the stable prefix up to the first still-masked token, minus a tail that
/// could be the start of a stop string), and last a piece carrying the finish reason. Once a stop string appears the
/// session is cancelled: nothing after it is wanted.
/// </summary>
internal sealed class CompletionChoiceRun(ISessionGrain session, int index, string prompt, string suffix, int maxTokens,
    StopSequences stops, ICodeTokenizer tokenizer)
{
    public int Index => index;

    public ISessionGrain Session => session;

    /// <summary>Tokens of the text this choice returned (known once its last piece was yielded).</summary>
    public int CompletionTokens { get; private set; }

    public async IAsyncEnumerable<ChoicePiece> Run([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = 0;
        SessionSnapshot? last = null;
        await foreach (var update in session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
        {
            last = update.Snapshot;
            var stable = StablePrefix(last);
            if (stops.FirstIn(stable) is { } cut)
            {
                await session.Cancel();
                yield return Finish(stable[..cut], sent, "stop");
                yield break;
            }
            var sendable = last.Masked == 0 ? stable.Length : stops.Sendable(stable);
            if (sendable > sent)
            {
                yield return new ChoicePiece(index, stable[sent..sendable], null);
                sent = sendable;
            }
        }
        if (last is not { Status: SessionStatus.Idle })
            throw new CompletionFailedException($"The completion failed: {last?.Error ?? last?.Status.ToWire() ?? "no result"}");
        var middle = Generated(last.Text);
        if (stops.FirstIn(middle) is { } stop)
        {
            yield return Finish(middle[..stop], sent, "stop");
            yield break;
        }
        var finished = Finish(middle, sent, "stop");
        yield return finished with { FinishReason = CompletionTokens >= maxTokens ? "length" : "stop" };
    }

    /// <summary>The last piece: what of <paramref name="text"/> was not sent yet, with the finish reason.</summary>
    private ChoicePiece Finish(string text, int sent, string reason)
    {
        CompletionTokens = text.Length == 0 ? 0 : tokenizer.EncodeVerbatim(text).Ids.Length;
        return new ChoicePiece(index, sent < text.Length ? text[sent..] : "", reason);
    }

    /// <summary>The generated middle: fixed text is byte-identical, so it is whatever lies between prompt and suffix.</summary>
    private string Generated(string text) => text.Substring(prompt.Length, text.Length - prompt.Length - suffix.Length);

    /// <summary>
    /// Generated text up to the first still-masked token (where the snapshot says it is: the model may well write
    /// "&lt;|mask|&gt;" as text), minus a trailing partial character.
    /// </summary>
    private string StablePrefix(SessionSnapshot snapshot)
    {
        var middle = Generated(snapshot.Text);
        if (snapshot.Masked == 0) return middle;
        var firstMask = snapshot.Regions.Where(r => r.FirstMask >= prompt.Length).Select(r => r.FirstMask - prompt.Length).DefaultIfEmpty(middle.Length).Min();
        return middle[..Math.Min(firstMask, middle.Length)].TrimEnd('\uFFFD');
    }
}

/// <summary>Newly final text of one choice; <paramref name="FinishReason"/> is set on its last piece only.</summary>
internal sealed record ChoicePiece(int Index, string Text, string? FinishReason);

/// <summary>A choice's session ended without a result (failed or cancelled by someone else).</summary>
internal sealed class CompletionFailedException(string message) : Exception(message);
