using SeedGrains.Diffusion.Checkpoints;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>Largest |Δlogit| against a reference file, per attention mode.</summary>
public sealed record ParityReport(double CausalMaxAbsDiff, double BidirectionalMaxAbsDiff, double KeymaskMaxAbsDiff, long Batch, long Length, long Vocab);

/// <summary>
/// Compares the model's logits with a reference safetensors file (made by PyTorch/HF; see the fixtures'
/// PROVENANCE.md): <c>input_ids</c> int64 [B,T], <c>key_mask</c> uint8 [B,T], and float32 [B,T,V]
/// <c>logits_causal_hf</c>, <c>logits_bidirectional</c>, <c>logits_bidirectional_keymask</c>. The key-mask
/// logits are compared only at positions whose key_mask is 1 (padding rows are meaningless).
/// </summary>
public static class ReferenceParity
{
    public static ParityReport Compare(Qwen2Model model, string referencePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var reader = SafeTensorsReader.Open(referencePath);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputIds = Require(reader, "input_ids", 2);
        var keyMask = Require(reader, "key_mask", 2);
        var causal = Require(reader, "logits_causal_hf", 3);
        var bidirectional = Require(reader, "logits_bidirectional", 3);
        var keymasked = Require(reader, "logits_bidirectional_keymask", 3);
        long[] expectedLogits = [inputIds.shape[0], inputIds.shape[1], model.Config.VocabSize];
        foreach (var (name, tensor) in new[] { ("logits_causal_hf", causal), ("logits_bidirectional", bidirectional), ("logits_bidirectional_keymask", keymasked) })
        {
            if (!tensor.shape.SequenceEqual(expectedLogits))
            {
                throw new InvalidDataException($"{referencePath}: '{name}' is [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", expectedLogits)}] (input_ids and the model's vocab)");
            }
        }
        if (!keyMask.shape.SequenceEqual(inputIds.shape))
        {
            throw new InvalidDataException($"{referencePath}: 'key_mask' is [{string.Join(", ", keyMask.shape)}] but input_ids is [{string.Join(", ", inputIds.shape)}]");
        }

        var device = model.Device;
        var ids = inputIds.to(device);
        var mask = keyMask.to(device);
        var real = mask.ne(0).unsqueeze(-1).cpu();
        return new ParityReport(
            MaxAbsDiff(model.Forward(ids, AttentionMode.Causal), causal, null),
            MaxAbsDiff(model.Forward(ids, AttentionMode.Bidirectional), bidirectional, null),
            MaxAbsDiff(model.Forward(ids, AttentionMode.Bidirectional, mask), keymasked, real),
            inputIds.shape[0], inputIds.shape[1], model.Config.VocabSize);
    }

    private static double MaxAbsDiff(Tensor actual, Tensor expected, Tensor? where)
    {
        var diff = (actual.to(ScalarType.Float32).cpu() - expected).abs();
        if (where is not null)
        {
            diff = diff.masked_fill(where.logical_not(), 0.0);
        }
        return diff.max().item<float>();
    }

    private static Tensor Require(SafeTensorsReader reader, string name, int rank)
    {
        if (!reader.Contains(name))
        {
            throw new InvalidDataException($"{reader.Path}: reference tensor '{name}' is missing");
        }
        var tensor = reader.Read(name);
        if (tensor.dim() != rank)
        {
            throw new InvalidDataException($"{reader.Path}: reference tensor '{name}' has rank {tensor.dim()}, expected {rank}");
        }
        return tensor;
    }
}
