using Microsoft.Extensions.Logging.Abstractions;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class TenantSlotTests
{
    private int _acquired;
    private readonly List<long> _released = [];
    private bool _tenantDown;
    private int _weight = 3;
    private bool _weightFails;

    private TenantSlot Slot() => new(
        () => { _acquired++; return Task.CompletedTask; },
        tokens => _tenantDown ? throw new TimeoutException("tenant silo died") : Record(tokens),
        () => _weightFails ? throw new TimeoutException("tenant silo died") : Task.FromResult(_weight),
        NullLogger.Instance, "t", "t/s");

    private Task Record(long tokens)
    {
        _released.Add(tokens);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Taking_the_slot_reads_the_tenants_weight_and_releasing_reports_the_tokens()
    {
        var slot = Slot();
        Assert.True(await slot.AcquireIf(needed: true));
        Assert.False(await slot.AcquireIf(needed: true)); // held already
        Assert.False(await Slot().AcquireIf(needed: false));
        Assert.Equal(1, _acquired);
        Assert.Equal(3, slot.Weight);

        slot.Committed(4);
        slot.Committed(5);
        Assert.True(await slot.Release());
        Assert.True(await slot.Release()); // nothing held: nothing to do

        Assert.Equal([9L], _released);
        Assert.False(slot.Held);
    }

    [Fact]
    public async Task A_weight_that_cannot_be_read_keeps_the_last_one()
    {
        var slot = Slot();
        await slot.Acquire();
        _weight = 7;
        _weightFails = true;
        await slot.Acquire();
        Assert.Equal(3, slot.Weight);
        _weightFails = false;
        await slot.Acquire();
        Assert.Equal(7, slot.Weight);
    }

    [Fact]
    public async Task A_release_the_tenant_did_not_get_stays_pending_until_a_retry_succeeds()
    {
        var slot = Slot();
        await slot.Acquire();
        slot.Committed(2);
        _tenantDown = true;

        Assert.False(await slot.Release());
        Assert.True(slot.ReleasePending);

        _tenantDown = false;
        Assert.True(await slot.Release());
        Assert.False(slot.ReleasePending);
        Assert.Equal([2L], _released);
    }

    [Fact]
    public async Task An_owed_release_is_sent_even_without_holding_the_slot()
    {
        var slot = Slot();
        slot.OweRelease();
        Assert.True(await slot.Release());
        Assert.Equal([0L], _released);
    }
}
