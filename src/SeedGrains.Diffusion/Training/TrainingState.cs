using System.Text.Json;

namespace SeedGrains.Diffusion.Training;

/// <summary>Progress of a run, written beside each checkpoint (state.json).</summary>
public sealed record TrainingState
{
    public required TrainingOptions Options { get; init; }
    /// <summary>Steps completed; the next step to run.</summary>
    public int Step { get; set; }
    public long TokensSeen { get; set; }
    public double WallSeconds { get; set; }
    /// <summary>(step, mean training loss since the previous entry).</summary>
    public List<LossPoint> LossHistory { get; init; } = [];

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static TrainingState Load(string path) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty training state");
}

public sealed record LossPoint(int Step, double Loss);
