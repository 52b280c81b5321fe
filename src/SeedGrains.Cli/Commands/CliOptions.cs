using System.CommandLine;
using System.Text.Json;
using SeedGrains.Diffusion.Devices;

namespace SeedGrains.Cli.Commands;

/// <summary>Options several commands share, and printing of --json results.</summary>
internal static class CliOptions
{
    public static Option<string> Device() => new("--device") { Description = "cpu | cuda | auto", DefaultValueFactory = _ => "auto" };
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object on stdout" };
    public static Option<int> Threads() => new("--threads") { Description = "CPU threads for libtorch (0 = libtorch's default)" };

    /// <summary>Applies --threads (libtorch's intra-op pool) when given.</summary>
    public static void ApplyThreads(ParseResult p, Option<int> threads)
    {
        if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
    }

    /// <summary>--dtype for inference: what the loaded models compute in.</summary>
    public static Option<string> ComputeDtype(string defaultValue) => new("--dtype")
    {
        Description = $"{ComputeDtypeSelector.Usage}: what the models compute in (auto: bfloat16 on CPUs with AVX512-BF16 or AMX, else float32)",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>A commit-rule value (`bench decode --policy`, `bench service --commit-rule`): confidence | topk | entropy.</summary>
    public static Diffusion.Decoding.CommitRule ParseCommitRule(string value, string option) => value switch
    {
        "confidence" => Diffusion.Decoding.CommitRule.Confidence,
        "topk" => Diffusion.Decoding.CommitRule.TopK,
        "entropy" => Diffusion.Decoding.CommitRule.EntropyBounded,
        _ => throw new ArgumentException($"{option} must be confidence, topk or entropy, not '{value}'"),
    };

    /// <summary>A --tokenizer value: tokenizer.json itself, or the folder holding it.</summary>
    public static string TokenizerFile(string path) => Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;

    public static Option<int> Seed() => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };

    // Plain UTF-8 ("τ", not "\u03C4"): the output is read by people and by JSON parsers, never embedded in HTML.
    static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = Plain.Encoder };

    /// <summary>--json: one JSON object on stdout; otherwise an aligned "key: value" listing.</summary>
    public static void Print(IReadOnlyDictionary<string, object?> result, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, Plain));
            return;
        }
        int width = result.Keys.Max(k => k.Length);
        foreach (var (key, value) in result)
            Console.WriteLine($"{key.PadRight(width)}  {(value is double d ? d.ToString("0.####") : JsonSerializer.Serialize(value, Indented).Trim('"'))}");
    }
}
