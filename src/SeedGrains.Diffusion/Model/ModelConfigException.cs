namespace SeedGrains.Diffusion.Model;

/// <summary>A config.json field is missing, malformed or has a value this implementation does not support.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string field, string message, string? source = null)
        : base($"{(source is null ? "" : source + ": ")}config field '{field}': {message}")
    {
        Field = field;
    }

    public ModelConfigException() : base("invalid model config") { Field = ""; }

    public ModelConfigException(string message) : base(message) { Field = ""; }

    public ModelConfigException(string message, Exception innerException) : base(message, innerException) { Field = ""; }

    /// <summary>The JSON field at fault (e.g. "rope_scaling").</summary>
    public string Field { get; }
}
