namespace SeedGrains.Grains.Model;

/// <summary>Configuration section <c>Model</c>.</summary>
public sealed class ModelSettings
{
    public const string Section = "Model";

    /// <summary>Checkpoint directory (config.json, safetensors, tokenizer).</summary>
    public string? Path { get; set; }

    /// <summary>Device(s) to serve on, comma-separated (e.g. "cpu" or "cuda:0,cuda:1"): one compute thread and one worker each.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// What the model computes in: float32 (the default), bfloat16, or auto (bfloat16 on a CPU with AVX512-BF16 or
    /// AMX, float32 elsewhere). bfloat16 served 16 sessions 1.5× faster on the dev box, but its rounding depends on a
    /// batch's padded width, so a session's text may then depend on its batch-mates (1 of 64 differed); float32 keeps
    /// every session's result what it would be alone.
    /// </summary>
    public string Dtype { get; set; } = "float32";

    /// <summary>False: this silo loads the model (for its tokenizer) but hosts no workers; its sessions use other silos' workers.</summary>
    public bool HostWorkers { get; set; } = true;

    /// <summary>Longest token window a denoising step sends the model (the bundled models were trained on 576).</summary>
    public int MaxWindow { get; set; } = 576;

    /// <summary>
    /// Dual cache for session steps: a session's context (everything but its masks) is recomputed only every this
    /// many of its steps, the steps between forward just the masked positions (0 = off: every step is a full forward).
    /// </summary>
    public int ContextCacheRefreshEvery { get; set; } = 8;

    /// <summary>Sessions whose context a device keeps (least recently stepped go first); ~2.4 MB each for the bundled model.</summary>
    public int ContextCacheEntries { get; set; } = 64;

    public IReadOnlyList<string> Devices =>
        Device.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
