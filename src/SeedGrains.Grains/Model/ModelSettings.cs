namespace SeedGrains.Grains.Model;

/// <summary>Configuration section <c>Model</c>.</summary>
public sealed class ModelSettings
{
    public const string Section = "Model";

    /// <summary>Checkpoint directory (config.json, safetensors, tokenizer).</summary>
    public string? Path { get; set; }

    /// <summary>Device(s) to serve on, comma-separated (e.g. "cpu" or "cuda:0,cuda:1"): one compute thread and one worker each.</summary>
    public string Device { get; set; } = "cpu";

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
