using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Grains.Tests.Collaboration;

public sealed class ChangeLogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Since_returns_the_changes_after_a_version_in_order()
    {
        var log = new ChangeLog(1, _time);
        for (var v = 2; v <= 5; v++)
            log.Append(Change(v));

        Assert.True(log.TrySince(3, out var changes));
        Assert.Equal([4L, 5L], changes.Select(c => c.Version));
        Assert.True(log.TrySince(5, out var none));
        Assert.Empty(none);
        Assert.True(log.TrySince(1, out var all));
        Assert.Equal(4, all.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TrySince(6, out _));
    }

    [Fact]
    public void Versions_must_follow_each_other()
    {
        var log = new ChangeLog(7, _time);
        Assert.Throws<ArgumentException>(() => log.Append(Change(9)));
        log.Append(Change(8));
        Assert.Equal(8, log.CurrentVersion);
    }

    [Fact]
    public void The_newest_thousand_versions_stay_however_old()
    {
        var log = new ChangeLog(0, _time);
        for (var v = 1; v <= 1500; v++)
            log.Append(Change(v));
        _time.Advance(TimeSpan.FromHours(1));
        log.Append(Change(1501));

        Assert.Equal(1000, log.Count);
        Assert.Equal(501, log.OldestBaseVersion);
        Assert.False(log.TrySince(500, out _));
        Assert.True(log.TrySince(501, out _));
    }

    [Fact]
    public void Ten_minutes_of_changes_stay_however_many()
    {
        var log = new ChangeLog(0, _time);
        for (var v = 1; v <= 3000; v++)
        {
            log.Append(Change(v));
            _time.Advance(TimeSpan.FromMilliseconds(100)); // 3000 changes in 5 minutes
        }
        Assert.Equal(3000, log.Count);

        _time.Advance(TimeSpan.FromMinutes(6)); // the first 600 are now older than 10 minutes
        log.Append(Change(3001));
        Assert.Equal(3001 - 600, log.Count);
        Assert.Equal(600, log.OldestBaseVersion);
    }

    [Fact]
    public void The_hard_caps_bound_memory_even_within_the_minimum()
    {
        var byEntries = new ChangeLog(0, _time, new ChangeLogLimits { MinVersions = 10, MaxEntries = 20 });
        for (var v = 1; v <= 100; v++)
            byEntries.Append(Change(v));
        Assert.Equal(20, byEntries.Count);

        var byBytes = new ChangeLog(0, _time, new ChangeLogLimits { MaxBytes = 10_000 });
        for (var v = 1; v <= 100; v++)
            byBytes.Append(Change(v, new string('x', 1000)));
        Assert.InRange(byBytes.Bytes, 1, 10_000);
        Assert.Equal(byBytes.Bytes / Change(1, new string('x', 1000)).EstimatedBytes, byBytes.Count);
    }

    [Fact]
    public void A_base_that_left_the_log_is_too_old()
    {
        var log = new ChangeLog(0, _time, new ChangeLogLimits { MinVersions = 2, MaxEntries = 2 });
        for (var v = 1; v <= 5; v++)
            log.Append(Change(v));

        Assert.Equal(new RebaseResult.TooOld(3, 5), log.Rebase(new PersonEdit("alice", null, 2, [new(0, 0, "x")]), 5));
        Assert.IsType<RebaseResult.Rebased>(log.Rebase(new PersonEdit("alice", null, 3, [new(0, 0, "x")]), 5));
    }

    [Fact]
    public void Malformed_edits_are_bad_requests()
    {
        var log = new ChangeLog(1, _time);
        log.Append(Change(2)); // "x" inserted at 0: the text of version 1 is one shorter

        Assert.Throws<InvalidSessionRequestException>(() => log.Rebase(new PersonEdit("alice", null, 3, []), 5));
        Assert.Throws<InvalidSessionRequestException>(() => log.Rebase(new PersonEdit("model", null, 2, []), 5));
        Assert.Throws<InvalidSessionRequestException>(() => log.Rebase(new PersonEdit("alice", null, 1, [new(0, 5, "")]), 5));
        Assert.IsType<RebaseResult.Rebased>(log.Rebase(new PersonEdit("alice", null, 1, [new(0, 4, "")]), 5));
    }

    [Fact]
    public void Limits_that_contradict_each_other_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ChangeLog(0, _time, new ChangeLogLimits { MinVersions = 10, MaxEntries = 5 }));
        Assert.Throws<ArgumentException>(() => new ChangeLog(0, _time, new ChangeLogLimits { MaxBytes = 0 }));
    }

    private static TextChange Change(long version, string text = "x") => new(version, "bob", [new(0, 0, text)]);
}
