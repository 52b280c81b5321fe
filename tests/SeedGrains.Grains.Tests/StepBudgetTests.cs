using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests;

/// <summary><see cref="RegionStepPlan"/>: which part of a region a step may commit and how many steps it has for it.</summary>
public sealed class StepBudgetTests
{
    private const int M = 99; // the mask id in these token arrays

    private static RegionDecoding Decoding(int maxSteps, int blockSize) => new(StepCommitRule.TopK, 0.9f, 1f, maxSteps, blockSize, 0f, null);

    private static int[] Region(int committed, int masked) => [.. Enumerable.Repeat(7, committed), .. Enumerable.Repeat(M, masked)];

    [Theory]
    [InlineData(0, 17, 0, null)]  // no budget: the caller allows a step per mask
    [InlineData(2, 17, 0, 2)]     // a budget counts down from the region's first step…
    [InlineData(2, 9, 1, 1)]      // …its last step commits everything left…
    [InlineData(2, 3, 5, 1)]      // …and so does any step past it
    public void Without_blocks_the_steps_left_count_down_from_the_budget(int budget, int masked, int stepsTaken, int? expected)
    {
        var plan = RegionStepPlan.For(Region(0, masked), M, Decoding(budget, 0), stepsTaken);
        Assert.Equal((0, masked, expected), (plan.From, plan.To, plan.StepsLeft));
    }

    [Theory]
    // 20 tokens in blocks of 8: [0,8) [8,16) [16,20). The steps left are shared evenly by the blocks left, as
    // InfillDecoder shares them: blockSteps = max(1, (maxSteps − steps) / blocksLeft).
    [InlineData(0, 12, 0, 0, 8, 4)]    // 12 steps, 3 blocks left
    [InlineData(5, 12, 4, 0, 8, 2)]    // block 0 not done yet: 8 steps left over 3 blocks
    [InlineData(8, 12, 5, 8, 16, 3)]   // block 1: 7 left over 2 blocks
    [InlineData(17, 12, 11, 16, 20, 1)] // block 2, the budget's last step
    [InlineData(18, 12, 30, 16, 20, 1)] // past the budget: everything now
    public void With_blocks_a_step_commits_in_the_first_masked_block_with_its_share_of_the_steps(
        int committed, int budget, int stepsTaken, int from, int to, int stepsLeft)
    {
        var plan = RegionStepPlan.For(Region(committed, 20 - committed), M, Decoding(budget, 8), stepsTaken);
        Assert.Equal((from, to, (int?)stepsLeft), (plan.From, plan.To, plan.StepsLeft));
    }

    [Fact]
    public void A_region_without_masks_has_no_step() =>
        Assert.Throws<InvalidOperationException>(() => RegionStepPlan.For(Region(3, 0), M, Decoding(2, 0), 0));

    [Fact]
    public async Task A_negative_budget_stops_the_silo_from_starting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var cluster = await TestCluster.Start(sessions: o => o.StepBudget = -1);
        });
        Assert.Contains("Sessions:StepBudget must be ≥ 0", error.ToString());
    }

    [Fact]
    public async Task A_default_budget_above_the_limit_stops_the_silo_from_starting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var cluster = await TestCluster.Start(sessions: o => { o.StepBudget = 10; o.MaxStepBudget = 5; });
        });
        Assert.Contains("Sessions:MaxStepBudget must be ≥ 1 and ≥ Sessions:StepBudget", error.ToString());
    }
}
