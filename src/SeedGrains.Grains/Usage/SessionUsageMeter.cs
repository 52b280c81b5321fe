using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Grains.Usage;

/// <summary>
/// What one session did since its last usage report: counted in memory per step and reported in one call at
/// checkpoints, when it settles and when it deactivates — never a grain call per step. Not thread-safe (grain turns).
/// </summary>
public sealed class SessionUsageMeter
{
    private long _sessionsCreated;
    private long _steps;
    private long _generated;
    private long _prompt;

    /// <summary>One model step (row) that read <paramref name="windowTokens"/> tokens.</summary>
    public void Step(int windowTokens)
    {
        _steps++;
        _prompt += windowTokens;
    }

    /// <summary>Tokens a step committed to the document.</summary>
    public void Committed(int tokens) => _generated += Math.Max(0, tokens);

    public void Created() => _sessionsCreated++;

    /// <summary>The unreported counts (null when there are none), now counted as reported.</summary>
    public UsageDelta? Take()
    {
        var delta = new UsageDelta(_sessionsCreated, 0, _steps, _generated, _prompt);
        if (delta.IsEmpty()) return null;
        _sessionsCreated = _steps = _generated = _prompt = 0;
        return delta;
    }

    /// <summary>Puts back a report that could not be delivered, to go with the next one.</summary>
    public void Return(UsageDelta delta)
    {
        _sessionsCreated += delta.SessionsCreated;
        _steps += delta.Steps;
        _generated += delta.GeneratedTokens;
        _prompt += delta.PromptTokens;
    }
}
