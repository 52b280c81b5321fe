namespace SeedGrains.Abstractions.Errors;

/// <summary>The model itself failed a step (an error in the stepper, not in reaching it); retrying elsewhere would not help.</summary>
[GenerateSerializer]
public sealed class ModelStepFailedException : Exception
{
    public ModelStepFailedException() { }

    public ModelStepFailedException(string message) : base(message) { }

    public ModelStepFailedException(string message, Exception innerException) : base(message, innerException) { }
}
