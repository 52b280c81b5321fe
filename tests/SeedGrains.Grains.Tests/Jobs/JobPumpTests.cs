using SeedGrains.Grains.Jobs;

namespace SeedGrains.Grains.Tests.Jobs;

public sealed class JobPumpTests
{
    [Fact]
    public async Task It_starts_pending_files_in_order_up_to_the_cap_and_retries_put_back_ones_only_when_asked()
    {
        var pending = Enumerable.Range(0, 200).ToList();
        var started = new List<int>();
        var pump = new JobPump(3, (after, limit) => Task.FromResult<IReadOnlyList<int>>(pending.Where(i => i > after).Take(limit).ToList()), started.Add);

        await pump.Fill();
        Assert.Equal([0, 1, 2], started);
        pump.PutBack(1);
        pump.Finished(0);
        await pump.Fill();
        Assert.Equal([0, 1, 2, 3, 4], started);
        pump.Finished(2);
        await pump.Fill(retries: true);
        Assert.Equal([0, 1, 2, 3, 4, 1], started);
        Assert.Equal(3, pump.InFlight);
        // Past the first page (64) the store is asked again from where it left off.
        foreach (var index in started.ToList()) pump.Finished(index);
        for (var i = 0; i < 70; i++)
        {
            await pump.Fill();
            foreach (var index in pump.Running.ToList()) pump.Finished(index);
        }
        Assert.Equal(Enumerable.Range(0, 200), started.Distinct().Order());
    }
}
