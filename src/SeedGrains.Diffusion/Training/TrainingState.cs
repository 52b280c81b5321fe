using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Diffusion.Training;

/// <summary>Progress of a run, written beside each checkpoint (state.json).</summary>
public sealed record TrainingState
{
    public required TrainingOptions Options { get; init; }
    /// <summary>Steps completed; the next step to run.</summary>
    public int Step { get; set; }
    public long TokensSeen { get; set; }
    public double WallSeconds { get; set; }
    /// <summary>Training seconds when the warm-up ended (null: not yet): where a time budget's decay starts.</summary>
    public double? WarmupEndSeconds { get; set; }
    /// <summary>The step whose weights were saved to branch/ (null: not yet, or no branch point).</summary>
    public int? BranchStep { get; set; }
    /// <summary>(step, mean training loss since the previous entry).</summary>
    public List<LossPoint> LossHistory { get; init; } = [];

    // A diverged step's loss may be ∞ or NaN; it is recorded as such rather than losing the checkpoint.
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static TrainingState Load(string path) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty training state");
}

public sealed record LossPoint(int Step, double Loss);
