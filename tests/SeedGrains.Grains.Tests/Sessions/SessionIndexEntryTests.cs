using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class SessionIndexEntryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly FakeIndex _index = new();
    private TenantQuotas _quotas = new(MaxStoredSessions: 2);

    private SessionIndexEntry Entry() => new(_index, () => Task.FromResult(_quotas), _time, NullLogger.Instance, "t", "s", "t/s");

    [Fact]
    public async Task A_tenant_at_its_stored_sessions_quota_is_refused_a_new_one()
    {
        _index.Stored = 1;
        await Entry().CheckStoredSessionsQuota();
        _index.Stored = 2;
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => Entry().CheckStoredSessionsQuota());
        Assert.Contains("already stores 2 sessions (quota 2)", refused.Message);

        _quotas = new TenantQuotas(MaxStoredSessions: 0); // no quota: the index is not even counted
        _index.Stored = 99;
        await Entry().CheckStoredSessionsQuota();
    }

    [Fact]
    public async Task Recording_writes_the_sessions_summary_and_a_failure_is_only_logged()
    {
        var snapshot = new SessionSnapshot("s", 4, SessionStatus.Idle, "hello", 0, [], null);
        await Entry().Record(snapshot);
        Assert.Equal(new SessionSummary("s", SessionStatus.Idle, 4, _time.GetUtcNow(), _time.GetUtcNow(), 5), Assert.Single(_index.Upserts));

        _index.Down = true;
        await Entry().Record(snapshot);
        Assert.Single(_index.Upserts);
    }

    private sealed class FakeIndex : ISessionIndexGrain
    {
        public int Stored { get; set; }

        public bool Down { get; set; }

        public List<SessionSummary> Upserts { get; } = [];

        public Task Upsert(SessionSummary summary)
        {
            if (Down) throw new TimeoutException("index down");
            Upserts.Add(summary);
            return Task.CompletedTask;
        }

        public Task Remove(string sessionId) => Task.CompletedTask;

        public Task<int> Count() => Task.FromResult(Stored);

        public Task<SessionPage> List(SessionStatus? status, int limit, string? cursor) => throw new NotSupportedException();

        public Task<int> SweepExpired() => throw new NotSupportedException();

        public Task Erase() => throw new NotSupportedException();
    }
}
