using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// Writes a trained BPE as a HuggingFace tokenizer.json with the same structure as Qwen2's: NFC normalizer,
/// Split(regex, Isolated) + ByteLevel(use_regex false) pre-tokenizer, ByteLevel decoder, specials as added
/// tokens, merges as ["a", "b"] pairs. Vocabulary and merges are written one entry per line for readable diffs.
/// </summary>
public static class TokenizerJsonWriter
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static string Write(TrainedBpe bpe)
    {
        var header = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(bpe.SpecialTokens.Select((content, id) => (JsonNode)new JsonObject
            {
                ["id"] = id,
                ["content"] = content,
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = true,
            }).ToArray()),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split",
                        ["pattern"] = new JsonObject { ["Regex"] = bpe.PreTokenizerPattern },
                        ["behavior"] = "Isolated",
                        ["invert"] = false,
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
        };
        var text = new StringBuilder(header.ToJsonString(Readable));
        text.Length -= 2; // reopen the object: drop "\n}"
        text.Append(",\n  \"model\": {\n");
        text.Append("    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n    \"continuing_subword_prefix\": null,\n");
        text.Append("    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n");
        text.Append("    \"vocab\": {\n");
        for (var id = 0; id < bpe.Tokens.Count; id++)
        {
            text.Append("      ").Append(Quote(bpe.Tokens[id])).Append(": ").Append(id).Append(id + 1 < bpe.Tokens.Count ? ",\n" : "\n");
        }
        text.Append("    },\n    \"merges\": [\n");
        for (var i = 0; i < bpe.Merges.Count; i++)
        {
            var (left, right) = bpe.Merges[i];
            text.Append("      [").Append(Quote(left)).Append(", ").Append(Quote(right)).Append(i + 1 < bpe.Merges.Count ? "],\n" : "]\n");
        }
        text.Append("    ]\n  }\n}\n");
        return text.ToString();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, Readable);
}
