using System.Buffers.Text;
using System.Globalization;
using System.Text;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The opaque cursor of a session list: the position (created, id) of the last entry of the previous page, base64url.
/// A position rather than an offset, so that sessions created or removed between pages neither repeat nor skip others.
/// </summary>
internal static class SessionIndexCursor
{
    public static string Of(SessionSummary last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{last.Created.UtcTicks}:{last.Id}")));

    /// <summary>The position a cursor names, as a probe entry for <see cref="SessionIndexOrder"/>.</summary>
    public static SessionSummary Parse(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && colon < text.Length - 1
                && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                var created = new DateTimeOffset(ticks, TimeSpan.Zero);
                return new SessionSummary(text[(colon + 1)..], SessionStatus.None, 0, created, created, 0);
            }
        }
        catch (FormatException)
        {
        }
        throw new InvalidSessionRequestException("cursor is not valid: pass the nextCursor of a previous page unchanged.");
    }
}
