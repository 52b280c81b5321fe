using System.Globalization;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Silo.Api;

/// <summary>The query of GET /v1/sessions (<c>status</c>, <c>limit</c> 1..100 default 20, <c>cursor</c>), read by hand so every bad value gets a problem detail that names it.</summary>
internal sealed record SessionListQuery(SessionStatus? Status, int Limit, string? Cursor)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    private const int MaxCursorLength = 512;

    public static SessionListQuery From(IQueryCollection query)
    {
        var status = Single(query, "status") switch
        {
            null => (SessionStatus?)null,
            "denoising" => SessionStatus.Denoising,
            "idle" => SessionStatus.Idle,
            "cancelled" => SessionStatus.Cancelled,
            "failed" => SessionStatus.Failed,
            var other => throw Bad($"status '{ApiText.Echo(other)}' is not one of denoising, idle, cancelled, failed."),
        };
        var limit = DefaultLimit;
        if (Single(query, "limit") is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            throw Bad($"limit must be an integer from 1 to {MaxLimit}.");
        var cursor = Single(query, "cursor");
        if (cursor is { Length: 0 or > MaxCursorLength })
            throw Bad("cursor is not valid: pass the nextCursor of a previous page unchanged.");
        return new SessionListQuery(status, limit, cursor);
    }

    /// <summary>A boolean query flag: absent is false; only <c>true</c> or <c>false</c> are accepted.</summary>
    public static bool Flag(IQueryCollection query, string name) => Single(query, name) switch
    {
        null => false,
        "true" => true,
        "false" => false,
        _ => throw Bad($"{name} must be true or false."),
    };

    private static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0) return null;
        if (values.Count > 1) throw Bad($"{name} may be given once.");
        return values[0];
    }

    private static ApiProblemException Bad(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail);
}
