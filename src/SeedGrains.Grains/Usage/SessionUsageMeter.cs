using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Telemetry;

namespace SeedGrains.Grains.Usage;

/// <summary>
/// What one session did since its last usage report: counted in memory per step and reported in one call at
/// checkpoints, when it settles and when it deactivates — never a grain call per step. Not thread-safe (grain turns).
/// </summary>
/// <param name="tenant">Tenant and model label the live metrics (<see cref="SeedGrainsMetrics.TokensCommitted"/>), which
/// count exactly what is metered here.</param>
public sealed class SessionUsageMeter(string tenant = "", string model = "")
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
    public void Committed(int tokens)
    {
        if (tokens <= 0) return;
        _generated += tokens;
        SeedGrainsMetrics.TokensCommitted.Add(tokens, new("tenant", tenant), new("model", model));
    }

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
