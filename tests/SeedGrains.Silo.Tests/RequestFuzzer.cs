using System.Text;

namespace SeedGrains.Silo.Tests;

/// <summary>One generated request: what a hostile or broken client might send.</summary>
public sealed record FuzzRequest(HttpMethod Method, string Path, byte[]? Body, string? ContentType, string? Authorization, string? Accept)
{
    public override string ToString() =>
        $"{Method} {Path[..Math.Min(Path.Length, 120)]} [{ContentType}] auth={Authorization?[..Math.Min(Authorization.Length, 20)]} body={(Body is null ? "-" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 200)))}";
}

/// <summary>
/// Seeded generator of requests over every public route: right and wrong methods, odd ids, headers that lie or are
/// missing, and bodies that are malformed JSON, nulls, wrong types, huge and negative numbers, split surrogate pairs
/// and invalid UTF-8. Valid requests stay small (tiny regions, few tokens) so the fake model finishes them at once.
/// </summary>
internal sealed class RequestFuzzer(int seed, string validKey, string knownSessionId)
{
    private readonly Random _random = new(seed);

    private static readonly HttpMethod[] Methods =
        [HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Head, HttpMethod.Options];

    public FuzzRequest Next()
    {
        var route = Pick(6, 8, 8, 8, 10, 6, 16, 4, 4, 3);
        var id = Id();
        var (method, path, body) = route switch
        {
            0 => (Method(HttpMethod.Get), "/healthz", MaybeBody()),
            1 => (Method(HttpMethod.Get), $"/v1/sessions/{id}", MaybeBody()),
            2 => (Method(HttpMethod.Get), $"/v1/sessions/{id}/events", MaybeBody()),
            3 => (Method(HttpMethod.Delete), $"/v1/sessions/{id}", MaybeBody()),
            4 => (Method(HttpMethod.Post), $"/v1/sessions/{id}/edits", Body(EditJson)),
            5 => (Method(HttpMethod.Post), "/v1/sessions", Body(CreateJson)),
            6 => (Method(HttpMethod.Post), "/v1/completions", Body(CompletionJson)),
            7 => (Method(HttpMethod.Get), "/openapi/v1.json", MaybeBody()),
            8 => (Method(HttpMethod.Get), "/", MaybeBody()),
            _ => (Method(HttpMethod.Get), OddPath(), MaybeBody()),
        };
        return new FuzzRequest(method, path, body, ContentType(), Authorization(), Accept());
    }

    private HttpMethod Method(HttpMethod usual) => _random.NextDouble() < 0.8 ? usual : Methods[_random.Next(Methods.Length)];

    private string Id() => Pick(4, 3, 1, 1, 1, 1, 1, 1) switch
    {
        0 => knownSessionId,
        1 => "s_" + _random.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        2 => "s_" + new string('x', 1000),
        3 => Uri.EscapeDataString("s_π🌍"),
        4 => "%FF%FE",
        5 => "..%2F..%2Fetc",
        6 => "cmpl-" + _random.Next(),
        _ => Uri.EscapeDataString("<script>alert(1)</script>"),
    };

    private string OddPath() => Pick(1, 1, 1, 1, 1, 1) switch
    {
        0 => "/v1/sessions/",
        1 => "/v1/" + new string('y', _random.Next(1, 2000)),
        2 => "/v1/sessions/s_a/events/extra",
        3 => "/dashboard/Trace",
        4 => "/v1/completions/",
        _ => "/%2e%2e/" + _random.Next(),
    };

    private string? ContentType() => Pick(14, 2, 1, 1, 1, 1) switch
    {
        0 => "application/json",
        1 => null,
        2 => "text/plain",
        3 => "application/json; charset=utf-16",
        4 => "application/problem+json",
        _ => "multipart/form-data; boundary=x",
    };

    private string? Authorization() => Pick(16, 2, 1, 1, 1, 1) switch
    {
        0 => "Bearer " + validKey,
        1 => null,
        2 => "Bearer wrong-" + _random.Next(),
        3 => "Bearer ",
        4 => "Basic " + Convert.ToBase64String("a:b"u8.ToArray()),
        _ => "Bearer " + new string('k', 5000),
    };

    private string? Accept() => Pick(6, 1, 1, 1, 1) switch
    {
        0 => null,
        1 => "text/html",
        2 => "application/xml",
        3 => "text/event-stream",
        _ => "*/*",
    };

    private byte[]? MaybeBody() => _random.NextDouble() < 0.85 ? null : Body(() => Value(2));

    /// <summary>Mostly a structurally right body with wrong values; sometimes broken bytes.</summary>
    private byte[] Body(Func<string> json) => Pick(12, 1, 1, 1, 1, 1, 1) switch
    {
        0 => Encoding.UTF8.GetBytes(json()),
        1 => Truncated(json()),
        2 => InvalidUtf8(json()),
        3 => Encoding.UTF8.GetBytes(new string('[', _random.Next(1, 200))),
        4 => [],
        5 => Encoding.UTF8.GetBytes(json() + "}" + json()),
        _ => RandomBytes(),
    };

    private string CreateJson() => Object(
        ("text", () => Pick(6, 2) == 0 ? Quote(SmallText()) : Value(1)),
        ("regions", () => Pick(3, 3, 2) switch { 0 => "[]", 1 => Array(RegionJson), _ => Value(1) }),
        ("priority", () => Pick(3, 1) == 0 ? Quote(Pick(1, 1) == 0 ? "interactive" : "bulk") : Value(1)));

    private string EditJson() => Object(
        ("baseVersion", () => Pick(3, 2) == 0 ? _random.Next(0, 4).ToString(System.Globalization.CultureInfo.InvariantCulture) : Number()),
        ("edits", () => Pick(2, 3, 1) switch { 0 => "[]", 1 => Array(EditItemJson), _ => Value(1) }),
        ("regenerate", () => Pick(2, 3, 1) switch { 0 => "[]", 1 => Array(RegionJson), _ => Value(1) }));

    private string CompletionJson() => Object(
        ("prompt", () => Pick(5, 2) == 0 ? Quote(SmallText()) : Value(1)),
        ("suffix", () => Pick(3, 1) == 0 ? Quote(SmallText()) : Value(1)),
        ("max_tokens", () => Pick(3, 3) == 0 ? _random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture) : Number()),
        ("stream", () => Pick(3, 1) == 0 ? (_random.Next(2) == 0 ? "true" : "false") : Value(1)),
        ("model", () => Value(1)));

    private string RegionJson() => Pick(6, 1, 1) switch
    {
        0 => Object(("start", SmallNumber), ("end", SmallNumber), ("maxTokens", () => Pick(2, 1) == 0 ? "2" : Number())),
        1 => "null",
        _ => Value(1),
    };

    private string EditItemJson() => Pick(6, 1, 1) switch
    {
        0 => Object(("start", SmallNumber), ("end", SmallNumber), ("text", () => Pick(3, 1) == 0 ? Quote(SmallText()) : Value(1))),
        1 => "null",
        _ => Value(1),
    };

    /// <summary>Fields in random order, each sometimes left out, sometimes null, sometimes twice.</summary>
    private string Object(params (string Name, Func<string> Value)[] fields)
    {
        var parts = new List<string>();
        foreach (var (name, value) in fields.OrderBy(_ => _random.Next()))
        {
            var roll = _random.Next(12);
            if (roll == 0) continue;
            parts.Add($"\"{name}\": {(roll == 1 ? "null" : value())}");
            if (roll == 2) parts.Add($"\"{name}\": {value()}");
        }
        if (_random.Next(8) == 0) parts.Add($"\"unknown_{_random.Next(100)}\": {Value(1)}");
        return "{" + string.Join(", ", parts) + "}";
    }

    private string Array(Func<string> item) => "[" + string.Join(", ", Enumerable.Range(0, _random.Next(0, 3)).Select(_ => item())) + "]";

    /// <summary>Any JSON value (wrong types for whatever field it lands in).</summary>
    private string Value(int depth) => Pick(2, 2, 2, 1, 1, 1, 1) switch
    {
        0 => "null",
        1 => Number(),
        2 => Quote(SmallText()),
        3 => _random.Next(2) == 0 ? "true" : "false",
        4 => depth > 0 ? "[" + Value(depth - 1) + "]" : "[]",
        5 => depth > 0 ? "{\"a\": " + Value(depth - 1) + "}" : "{}",
        _ => Quote(new string('z', _random.Next(1000, 5000))),
    };

    private string Number() => Pick(1, 1, 1, 1, 1, 1, 1, 1) switch
    {
        0 => "-1",
        1 => "0",
        2 => "2147483648",
        3 => "-9223372036854775809",
        4 => "1e308",
        5 => "1.5",
        6 => "99999999999999999999999999",
        _ => "-0",
    };

    private string SmallNumber() => Pick(8, 1, 1) switch
    {
        0 => _random.Next(0, 8).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => Number(),
        _ => Value(0),
    };

    /// <summary>Short text with code-like characters, astral characters (surrogate pairs) and escapes.</summary>
    private string SmallText() => Pick(4, 1, 1, 1) switch
    {
        0 => "abc" + _random.Next(1000),
        1 => "π🌍x",
        2 => "a\\ud800b",
        _ => "\\\"<|mask|>\\n\\u0000",
    };

    private static string Quote(string text) => "\"" + text + "\"";

    private byte[] Truncated(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return bytes[.._random.Next(0, Math.Max(1, bytes.Length))];
    }

    private byte[] InvalidUtf8(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json).ToList();
        var at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
        // A lone continuation byte, an overlong encoding, half of a 4-byte sequence, a byte that is never UTF-8.
        byte[][] junk = [[0x80], [0xC0, 0xAF], [0xF0, 0x9F], [0xFF]];
        bytes.InsertRange(at, junk[_random.Next(junk.Length)]);
        return [.. bytes];
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(1, 300)];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>An index drawn with the given relative weights.</summary>
    private int Pick(params int[] weights)
    {
        var roll = _random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            if (roll < weights[i]) return i;
            roll -= weights[i];
        }
        return weights.Length - 1;
    }
}
