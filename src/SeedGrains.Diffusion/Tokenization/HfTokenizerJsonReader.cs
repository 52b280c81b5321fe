using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// Reads a HuggingFace tokenizer.json holding a byte-level BPE (GPT-2 / Qwen2 / Llama-3 style). Anything the
/// encoder would not reproduce faithfully (another model type, normalizer, pre-tokenizer, decoder, ...) is
/// rejected with an error naming the file and the feature, rather than silently encoding differently.
/// </summary>
internal static class HfTokenizerJsonReader
{
    // HF's ByteLevel pre-tokenizer regex (GPT-2), used when ByteLevel has use_regex = true.
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static TokenizerDefinition Read(string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{file}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var context = new Reader(file);
            return context.Read(document.RootElement);
        }
    }

    private sealed class Reader(string file)
    {
        private Exception Fail(string message) => new TokenizerFormatException($"{file}: {message}");

        public TokenizerDefinition Read(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw Fail("the top level is not a JSON object.");
            if (!IsNull(root, "truncation")) throw Fail("\"truncation\" is set; truncation is not supported (remove it).");

            var model = Required(root, "model");
            var (vocabulary, merges, ignoreMerges) = ReadModel(model);
            var addedTokens = ReadAddedTokens(root);
            var normalizer = new TextNormalizer(ReadNormalizer(Optional(root, "normalizer"), "normalizer"));
            var splits = new List<RegexSplitter>();
            var byteLevel = false;
            ReadPreTokenizer(Optional(root, "pre_tokenizer"), "pre_tokenizer", splits, ref byteLevel);
            if (!byteLevel) throw Fail("pre_tokenizer has no ByteLevel step; only byte-level BPE tokenizers are supported.");
            ReadDecoder(Optional(root, "decoder"));
            var prefix = new List<int>();
            var suffix = new List<int>();
            ReadPostProcessor(Optional(root, "post_processor"), "post_processor", prefix, suffix);
            ValidateMerges(vocabulary, merges);
            return new TokenizerDefinition(vocabulary, merges, addedTokens, normalizer, new PreTokenizerPipeline(splits), ignoreMerges, prefix, suffix);
        }

        private (Dictionary<string, int>, List<(string, string)>, bool) ReadModel(JsonElement model)
        {
            var type = OptionalString(model, "type");
            if (type is not null && type != "BPE") throw Fail($"model.type \"{type}\" is not supported (only BPE).");
            if (OptionalDouble(model, "dropout") is double dropout && dropout > 0) throw Fail($"model.dropout {dropout} is not supported (BPE dropout is random).");
            if (!string.IsNullOrEmpty(OptionalString(model, "continuing_subword_prefix"))) throw Fail("model.continuing_subword_prefix is not supported by byte-level BPE.");
            if (!string.IsNullOrEmpty(OptionalString(model, "end_of_word_suffix"))) throw Fail("model.end_of_word_suffix is not supported by byte-level BPE.");
            var ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;

            var vocabElement = Required(model, "vocab", "model.vocab");
            if (vocabElement.ValueKind != JsonValueKind.Object) throw Fail("model.vocab is not an object of token → id.");
            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in vocabElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                {
                    throw Fail($"model.vocab[\"{entry.Name}\"] is not a non-negative integer id.");
                }
                vocabulary[entry.Name] = id;
            }

            var merges = new List<(string, string)>();
            if (model.TryGetProperty("merges", out var mergesElement) && mergesElement.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var merge in mergesElement.EnumerateArray())
                {
                    merges.Add(ReadMerge(merge, index++));
                }
            }
            else if (model.TryGetProperty("merges", out var bad) && bad.ValueKind != JsonValueKind.Null)
            {
                throw Fail("model.merges is not an array.");
            }
            return (vocabulary, merges, ignoreMerges);
        }

        // Two spellings exist: "a b" (tokenizers < 0.20) and ["a", "b"].
        private (string, string) ReadMerge(JsonElement merge, int index)
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var parts = text.Split(' ');
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    throw Fail($"model.merges[{index}] \"{text}\" is not two tokens separated by one space.");
                }
                return (parts[0], parts[1]);
            }
            if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                var left = merge[0].GetString()!;
                var right = merge[1].GetString()!;
                if (left.Length == 0 || right.Length == 0 || left.Contains(' ') || right.Contains(' '))
                {
                    throw Fail($"model.merges[{index}] [\"{left}\", \"{right}\"] has an empty token or one containing a space, which byte-level BPE never produces.");
                }
                return (left, right);
            }
            throw Fail($"model.merges[{index}] is neither \"a b\" nor [\"a\", \"b\"].");
        }

        private void ValidateMerges(Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges)
        {
            for (var i = 0; i < merges.Count; i++)
            {
                var (left, right) = merges[i];
                foreach (var part in new[] { left, right, left + right })
                {
                    if (!vocabulary.ContainsKey(part)) throw Fail($"model.merges[{i}] (\"{left}\", \"{right}\") uses \"{part}\", which is not in model.vocab.");
                }
            }
            for (var b = 0; b < 256; b++)
            {
                var token = ByteLevelAlphabet.CharOf((byte)b).ToString();
                if (!vocabulary.ContainsKey(token)) throw Fail($"model.vocab lacks the byte-level token \"{token}\" (byte 0x{b:X2}), so some text could not be encoded.");
            }
        }

        private List<AddedToken> ReadAddedTokens(JsonElement root)
        {
            var tokens = new List<AddedToken>();
            if (!root.TryGetProperty("added_tokens", out var array) || array.ValueKind == JsonValueKind.Null) return tokens;
            if (array.ValueKind != JsonValueKind.Array) throw Fail("added_tokens is not an array.");
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var where = $"added_tokens[{index++}]";
                if (!item.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out var id) || id < 0) throw Fail($"{where}.id is missing or not a non-negative integer.");
                var content = OptionalString(item, "content");
                if (string.IsNullOrEmpty(content)) throw Fail($"{where}.content is missing or empty.");
                tokens.Add(new AddedToken(id, content, Bool(item, "special"), Bool(item, "normalized"), Bool(item, "lstrip"), Bool(item, "rstrip"), Bool(item, "single_word")));
            }
            return tokens;
        }

        private List<NormalizationForm> ReadNormalizer(JsonElement? element, string where)
        {
            var forms = new List<NormalizationForm>();
            if (element is not { } normalizer || normalizer.ValueKind == JsonValueKind.Null) return forms;
            var type = OptionalString(normalizer, "type");
            switch (type)
            {
                case "NFC": forms.Add(NormalizationForm.FormC); break;
                case "NFD": forms.Add(NormalizationForm.FormD); break;
                case "NFKC": forms.Add(NormalizationForm.FormKC); break;
                case "NFKD": forms.Add(NormalizationForm.FormKD); break;
                case "Sequence":
                    var i = 0;
                    foreach (var child in Required(normalizer, "normalizers", $"{where}.normalizers").EnumerateArray())
                    {
                        forms.AddRange(ReadNormalizer(child, $"{where}.normalizers[{i++}]"));
                    }
                    break;
                default:
                    throw Fail($"{where} type \"{type}\" is not supported (supported: NFC, NFD, NFKC, NFKD, Sequence of them, or null).");
            }
            return forms;
        }

        private void ReadPreTokenizer(JsonElement? element, string where, List<RegexSplitter> splits, ref bool byteLevel)
        {
            if (element is not { } pre || pre.ValueKind == JsonValueKind.Null) return;
            var type = OptionalString(pre, "type");
            switch (type)
            {
                case "Sequence":
                    var i = 0;
                    foreach (var child in Required(pre, "pretokenizers", $"{where}.pretokenizers").EnumerateArray())
                    {
                        ReadPreTokenizer(child, $"{where}.pretokenizers[{i++}]", splits, ref byteLevel);
                    }
                    break;
                case "Split":
                    var behavior = OptionalString(pre, "behavior");
                    if (behavior != "Isolated") throw Fail($"{where} (Split) behavior \"{behavior}\" is not supported (only Isolated).");
                    if (Bool(pre, "invert")) throw Fail($"{where} (Split) invert = true is not supported.");
                    splits.Add(new RegexSplitter(CompilePattern(Required(pre, "pattern", $"{where}.pattern"), where)));
                    break;
                case "ByteLevel":
                    if (Bool(pre, "add_prefix_space")) throw Fail($"{where} (ByteLevel) add_prefix_space = true is not supported (it inserts text that is not in the input).");
                    if (!pre.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                    {
                        splits.Add(new RegexSplitter(Compile(Gpt2Pattern, where)));
                    }
                    byteLevel = true;
                    break;
                case "Digits":
                    splits.Add(new RegexSplitter(Compile(Bool(pre, "individual_digits") ? @"\p{N}" : @"\p{N}+", where)));
                    break;
                default:
                    throw Fail($"{where} type \"{type}\" is not supported (supported: Sequence, Split, ByteLevel, Digits).");
            }
            if (byteLevel && type is "Split" or "Digits")
            {
                throw Fail($"{where} ({type}) comes after ByteLevel; splits must run on text before the byte-level mapping.");
            }
        }

        private Regex CompilePattern(JsonElement pattern, string where)
        {
            if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String) return Compile(regex.GetString()!, where);
            if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String) return Compile(Regex.Escape(literal.GetString()!), where);
            throw Fail($"{where}.pattern is neither {{\"Regex\": ...}} nor {{\"String\": ...}}.");
        }

        private Regex Compile(string pattern, string where)
        {
            try
            {
                return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw Fail($"{where} regex /{pattern}/ does not compile in .NET: {e.Message}");
            }
        }

        private void ReadDecoder(JsonElement? element)
        {
            if (element is not { } decoder || decoder.ValueKind == JsonValueKind.Null) return;
            var type = OptionalString(decoder, "type");
            if (type != "ByteLevel") throw Fail($"decoder type \"{type}\" is not supported (only ByteLevel).");
        }

        // Special tokens a post-processor wraps around every encoding (Llama-3's BOS); ByteLevel's is a no-op for ids.
        private void ReadPostProcessor(JsonElement? element, string where, List<int> prefix, List<int> suffix)
        {
            if (element is not { } post || post.ValueKind == JsonValueKind.Null) return;
            var type = OptionalString(post, "type");
            switch (type)
            {
                case "ByteLevel":
                    return;
                case "Sequence":
                    var i = 0;
                    foreach (var child in Required(post, "processors", $"{where}.processors").EnumerateArray())
                    {
                        ReadPostProcessor(child, $"{where}.processors[{i++}]", prefix, suffix);
                    }
                    return;
                case "TemplateProcessing":
                    ReadTemplate(post, where, prefix, suffix);
                    return;
                default:
                    throw Fail($"{where} type \"{type}\" is not supported (supported: ByteLevel, TemplateProcessing, Sequence, or null).");
            }
        }

        private void ReadTemplate(JsonElement post, string where, List<int> prefix, List<int> suffix)
        {
            var specials = Required(post, "special_tokens", $"{where}.special_tokens");
            var seenSequence = false;
            foreach (var item in Required(post, "single", $"{where}.single").EnumerateArray())
            {
                if (item.TryGetProperty("Sequence", out _))
                {
                    seenSequence = true;
                    continue;
                }
                if (!item.TryGetProperty("SpecialToken", out var special)) throw Fail($"{where}.single has an item that is neither Sequence nor SpecialToken.");
                var name = OptionalString(special, "id") ?? throw Fail($"{where}.single SpecialToken has no id.");
                if (!specials.TryGetProperty(name, out var entry)) throw Fail($"{where}.special_tokens lacks \"{name}\".");
                var ids = Required(entry, "ids", $"{where}.special_tokens[\"{name}\"].ids").EnumerateArray().Select(e => e.GetInt32());
                (seenSequence ? suffix : prefix).AddRange(ids);
            }
        }

        private JsonElement Required(JsonElement parent, string name, string? where = null)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) throw Fail($"{where ?? name} is missing.");
            return value;
        }

        private static JsonElement? Optional(JsonElement parent, string name) => parent.TryGetProperty(name, out var value) ? value : null;

        private static bool IsNull(JsonElement parent, string name) => !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

        private static string? OptionalString(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static double? OptionalDouble(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

        private static bool Bool(JsonElement parent, string name) => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
    }
}
