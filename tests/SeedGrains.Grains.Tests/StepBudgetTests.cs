using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests;

/// <summary><see cref="SessionOptions.StepsLeft"/>: what a session tells the stepper about the steps it still allows.</summary>
public sealed class StepBudgetTests
{
    [Theory]
    [InlineData(0, 17, 0, 17)]   // no budget: every mask may take a step of its own
    [InlineData(0, 17, 9, 17)]
    [InlineData(0, 0, 0, 1)]     // never below one
    [InlineData(2, 17, 0, 2)]    // a budget counts down from the last edit…
    [InlineData(2, 9, 1, 1)]     // …its last step commits everything left…
    [InlineData(2, 3, 5, 1)]     // …and so does any step past it
    public void StepsLeftCountsDownFromTheBudget(int budget, int masked, int stepsTaken, int expected) =>
        Assert.Equal(expected, new SessionOptions { StepBudget = budget }.StepsLeft(masked, stepsTaken));

    [Fact]
    public async Task A_negative_budget_stops_the_silo_from_starting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var cluster = await TestCluster.Start(sessions: o => o.StepBudget = -1);
        });
        Assert.Contains("Sessions:StepBudget must be ≥ 0", error.ToString());
    }
}
