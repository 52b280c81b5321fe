using System.Text.Json.Serialization;

namespace SeedGrains.Silo.Api;

/// <summary>POST /v1/completions body (the OpenAI fields this service honours; others are ignored).</summary>
public sealed class CompletionBody : IRequestBody
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("prompt"), JsonRequired] public string Prompt { get; init; } = "";
    [JsonPropertyName("suffix")] public string? Suffix { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }

    void IRequestBody.Validate() => BodyRules.RequireString(Prompt, "prompt");
}

public sealed record CompletionChoice(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("logprobs")] object? Logprobs,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

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
