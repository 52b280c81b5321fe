using System.Text.Json;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Sessions;
using SeedGrains.Postgres.Storage;

namespace SeedGrains.Silo.Tests;

/// <summary>A session's per-region decoding survives the PostgreSQL state column (jsonb via <see cref="GrainStateJson"/>), so a failover resumes it.</summary>
public sealed class SessionStateJsonTests
{
    [Fact]
    public void Region_decodings_and_steps_round_trip_through_the_state_json()
    {
        var state = new SessionState
        {
            Exists = true, Version = 3, Status = SessionStatus.Denoising, Fixed = ["a", "b", "c"], Budgets = [4, 5],
            RegionTokens = [[1, 2, 3, 4], [5, 6, 7, 8, 9]], TokenSpace = "tiny/vocab=10",
            RegionDecodings = [new RegionDecoding(StepCommitRule.EntropyBounded, 0.7f, 0.4f, 12, 8, 0.9f, 42), null],
            RegionSteps = [3, 0],
        };

        var json = JsonSerializer.Serialize(state, GrainStateJson.DefaultOptions);
        var back = JsonSerializer.Deserialize<SessionState>(json, GrainStateJson.DefaultOptions)!;

        Assert.Contains("\"EntropyBounded\"", json, StringComparison.Ordinal);
        Assert.Equal(state.RegionDecodings, back.RegionDecodings);
        Assert.Equal(state.RegionSteps, back.RegionSteps);
    }
}
