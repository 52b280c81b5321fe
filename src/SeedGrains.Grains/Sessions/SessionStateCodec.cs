using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Between a session's document and what it stores (<see cref="SessionState"/>). Checkpointed region tokens are only
/// trusted in the token space they were written in: ids of another model/tokenizer would decode to garbage, so those
/// regions, like unusable checkpoints, resume from all masks.
/// </summary>
internal sealed class SessionStateCodec(ICodeTokenizer tokenizer, SpecialTokenIds specials, string modelName, SessionOptions options, ILogger logger, string key)
{
    public string TokenSpace => $"{modelName}/vocab={tokenizer.VocabularySize}";

    /// <summary>A new document (validated; 400 on bad input), its regions decoded by <paramref name="decoding"/>.</summary>
    public DocumentCanvas Create(string text, IReadOnlyList<TextRegion> regions, RegionDecoding decoding) =>
        DocumentCanvas.Create(text, regions, tokenizer, specials, options, decoding);

    public SessionState Capture(DocumentCanvas canvas, long version, SessionStatus status, string? error, long generated,
        SessionPriority priority, bool transient, bool suspended)
    {
        var (fixedTexts, budgets, regionTokens) = canvas.ToPersisted();
        var (decodings, steps) = canvas.DecodingToPersist();
        return new SessionState
        {
            Exists = true,
            Version = version,
            Status = status,
            Fixed = fixedTexts,
            Budgets = budgets,
            Priority = priority,
            Transient = transient,
            Error = error,
            RegionTokens = regionTokens.Count > 0 ? regionTokens : null,
            TokenSpace = regionTokens.Count > 0 ? TokenSpace : null,
            Suspended = suspended,
            RegionDecodings = decodings.Count > 0 ? decodings : null,
            RegionSteps = regionTokens.Count > 0 ? steps : null,
            // Written with the region tokens it counts: a resume from this state generates only what is still masked.
            GeneratedTokens = generated,
        };
    }

    public DocumentCanvas Restore(SessionState saved)
    {
        var checkpoint = saved.RegionTokens is not null && saved.TokenSpace == TokenSpace ? saved.RegionTokens : null;
        if (saved.RegionTokens is not null && checkpoint is null)
            logger.LogWarning("Session {Key}: checkpoint was written for '{Saved}', this silo serves '{Current}'; its regions restart from all masks",
                key, saved.TokenSpace, TokenSpace);
        if (checkpoint is not null)
        {
            try
            {
                return DocumentCanvas.Restore(saved.Fixed, saved.Budgets, checkpoint, tokenizer, specials, options, saved.RegionDecodings, saved.RegionSteps);
            }
            catch (InvalidOperationException ex)
            {
                logger.LogWarning(ex, "Session {Key}: unusable denoising checkpoint; its regions restart from all masks", key);
            }
        }
        return DocumentCanvas.Restore(saved.Fixed, saved.Budgets, null, tokenizer, specials, options, saved.RegionDecodings);
    }
}
