using System.Text.Json.Serialization;
using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Silo.Api;

/// <summary>GET /v1/usage answer: the tenant's hourly usage in [from, to) and its totals.</summary>
internal sealed record UsageReport(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("hours")] IReadOnlyList<UsageRow> Hours,
    [property: JsonPropertyName("totals")] UsageTotals Totals)
{
    public static UsageReport Of(string tenant, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<UsageHour> hours) =>
        new("usage", tenant, from, to, hours.Select(UsageRow.From).ToList(), UsageTotals.Of(hours));
}

/// <summary>One hour (its start, UTC).</summary>
internal sealed record UsageRow(
    [property: JsonPropertyName("hour")] DateTimeOffset Hour,
    [property: JsonPropertyName("sessions_created")] long SessionsCreated,
    [property: JsonPropertyName("completions")] long Completions,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("generated_tokens")] long GeneratedTokens,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("rejected")] IReadOnlyDictionary<string, long> Rejected)
{
    public static UsageRow From(UsageHour h) =>
        new(h.Hour, h.SessionsCreated, h.Completions, h.Steps, h.GeneratedTokens, h.PromptTokens, h.RejectedByReason);
}

/// <summary>Sums over the hours returned.</summary>
internal sealed record UsageTotals(
    [property: JsonPropertyName("sessions_created")] long SessionsCreated,
    [property: JsonPropertyName("completions")] long Completions,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("generated_tokens")] long GeneratedTokens,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("rejected")] IReadOnlyDictionary<string, long> Rejected)
{
    public static UsageTotals Of(IReadOnlyList<UsageHour> hours) => new(
        hours.Sum(h => h.SessionsCreated), hours.Sum(h => h.Completions), hours.Sum(h => h.Steps),
        hours.Sum(h => h.GeneratedTokens), hours.Sum(h => h.PromptTokens),
        hours.SelectMany(h => h.RejectedByReason).GroupBy(r => r.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal));
}
