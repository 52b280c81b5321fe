using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Silo.Api;

/// <summary>
/// POST /v1/completions body: the OpenAI fields this service honours. Fields it cannot honour (`logprobs`, `echo`,
/// `best_of` above 1) are refused by name rather than ignored; sampling knobs it has no use for (`temperature`,
/// `top_p`, penalties, `user`, …) are accepted and ignored, as OpenAI-compatible servers commonly do.
/// </summary>
public sealed class CompletionBody : IRequestBody
{
    /// <summary>Most choices one request may ask for (prompts × n): each is a session of its own.</summary>
    public const int MaxChoices = 16;

    /// <summary>OpenAI's limit on stop sequences.</summary>
    public const int MaxStops = 4;

    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>A string, or an array of strings (one choice per prompt).</summary>
    [JsonPropertyName("prompt"), JsonRequired] public JsonElement Prompt { get; init; }

    [JsonPropertyName("suffix")] public string? Suffix { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("stream_options")] public StreamOptionsBody? StreamOptions { get; init; }

    /// <summary>A string or an array of up to four strings: the text ends before the first one generated.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }

    [JsonPropertyName("n")] public int? N { get; init; }
    [JsonPropertyName("logprobs")] public int? Logprobs { get; init; }
    [JsonPropertyName("echo")] public bool? Echo { get; init; }
    [JsonPropertyName("best_of")] public int? BestOf { get; init; }

    /// <summary>The prompts, validated (set by <see cref="IRequestBody.Validate"/>).</summary>
    [JsonIgnore] public IReadOnlyList<string> Prompts { get; private set; } = [];

    /// <summary>The stop sequences, validated (empty: none).</summary>
    [JsonIgnore] public IReadOnlyList<string> Stops { get; private set; } = [];

    [JsonIgnore] public int Choices => N ?? 1;

    void IRequestBody.Validate()
    {
        Prompts = Strings(Prompt, "prompt", allowEmptyStrings: true)
                  ?? throw BodyRules.Invalid("prompt must be a string or an array of strings, not null.", "prompt");
        if (Prompts.Count == 0) throw BodyRules.Invalid("prompt must hold at least one string.", "prompt");
        Stops = Stop is { } stop ? Strings(stop, "stop", allowEmptyStrings: false) ?? [] : [];
        if (Stops.Count > MaxStops) throw BodyRules.Invalid($"stop has {Stops.Count} sequences; at most {MaxStops} are allowed.", "stop");
        if (N is < 1) throw BodyRules.Invalid($"n = {N} must be at least 1.", "n");
        if (Prompts.Count * Choices > MaxChoices)
            throw BodyRules.Invalid($"{Prompts.Count} prompts × n = {Choices} asks for {Prompts.Count * Choices} choices; at most {MaxChoices} per request.", "n");
        if (Logprobs is not null) throw Unsupported("logprobs", "this server does not return log probabilities");
        if (Echo is true) throw Unsupported("echo", "the prompt is not echoed back; it is the text before the completion");
        if (BestOf is not null and not 1) throw Unsupported("best_of", "send n for several choices");
        if (StreamOptions is not null && !Stream) throw BodyRules.Invalid("stream_options is only allowed with stream: true.", "stream_options");
    }

    private static ApiProblemException Unsupported(string field, string why) =>
        BodyRules.Invalid($"{field} is not supported: {why}. Leave it out.", field);

    /// <summary>A string or an array of strings as a list; null for JSON null.</summary>
    private static List<string>? Strings(JsonElement value, string field, bool allowEmptyStrings)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return [Checked(Text(value), field)];
            case JsonValueKind.Array:
                var list = new List<string>();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        throw BodyRules.Invalid($"{field}[{i}] must be a string.", $"{field}[{i}]");
                    list.Add(Checked(Text(item), $"{field}[{i}]"));
                    i++;
                }
                return list;
            default:
                throw BodyRules.Invalid($"{field} must be a string or an array of strings.", field);
        }

        // As a string property reads it: JsonElement.GetString refuses an escaped lone surrogate that the string
        // converter lets through (the session's own checks then judge the text).
        static string Text(JsonElement element) => element.Deserialize<string>()!;

        string Checked(string s, string name) =>
            allowEmptyStrings || s.Length > 0 ? s : throw BodyRules.Invalid($"{name} must not be empty.", name);
    }
}

public sealed class StreamOptionsBody
{
    /// <summary>Send a last chunk with the whole request's usage (and no choices) before `[DONE]`.</summary>
    [JsonPropertyName("include_usage")] public bool IncludeUsage { get; init; }
}

public sealed record CompletionChoice(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("logprobs"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs,
    [property: JsonPropertyName("finish_reason"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record CompletionUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);

/// <summary>OpenAI text_completion object (also each streamed chunk, without usage).</summary>
public sealed record CompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<CompletionChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CompletionUsage? Usage);
