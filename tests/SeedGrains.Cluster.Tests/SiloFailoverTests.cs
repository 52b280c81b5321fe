using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Cluster.Tests;

/// <summary>
/// Two silos on one PostgreSQL. Sessions are created while only silo A runs (so A hosts them and their tenant), each
/// gets an acknowledged edit, A is killed mid-generation, and every session must finish on silo B with its edit and
/// with the fake model's exact output — resuming from its last denoising checkpoint, not from scratch.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloFailoverTests(PostgresServerFixture postgres)
{
    private const int Sessions = 6;
    private const int Budget = 40;
    // Every wait below polls the database or the HTTP API (across a host, nothing signals a test); this bounds each
    // poll generously, so a loaded machine is slow but never fails a test.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_silo_mid_generation_finishes_every_session_on_the_other_with_its_edit()
    {
        await using var scenario = await Scenario.Start(postgres, "failover");
        var sessions = await scenario.CreateSessions();

        // Mid-generation: let A commit some tokens (and checkpoint), then hold its model and edit each session.
        await scenario.WaitForProgress(sessions, committed: 10);
        await scenario.HoldModelOfA(sessions);
        var acknowledged = await scenario.EditEach(sessions);
        var checkpoints = await scenario.CheckpointsInDatabase(sessions, acknowledged);

        await scenario.StartB();
        await scenario.KillA();

        // Clients keep polling the surviving silo: calls reactivate the sessions there.
        var finals = await scenario.PollUntilIdleThroughB(sessions);
        scenario.AssertFinishedWithEdits(sessions, finals, acknowledged);
        scenario.AssertResumedFromCheckpoints(sessions, checkpoints);
        await scenario.AssertTenantSlotsReturned();
    }

    [Fact]
    public async Task A_session_resumes_on_the_other_silo_with_nobody_polling_it()
    {
        await using var scenario = await Scenario.Start(postgres, "reminder");
        await scenario.HoldModelOfA();
        var sessions = await scenario.CreateSessions();
        var acknowledged = await scenario.EditEach(sessions); // acknowledged before any token was committed

        // Only periodic checkpoints (every few steps) can put progress into the database from here on.
        scenario.ReleaseModelOfA();
        await scenario.WaitForProgress(sessions, committed: 3 * ClusterSilo.CheckpointEverySteps);
        await scenario.HoldModelOfA(sessions);
        var checkpoints = await scenario.CheckpointsInDatabase(sessions, acknowledged);
        Assert.All(checkpoints.Values, masked => Assert.True(masked < Budget, $"no periodic checkpoint was written ({masked} masks stored)"));

        await scenario.StartB();
        await scenario.KillA();

        // Nobody calls the sessions: only their reminders can bring them back. Watch the database, not the API.
        var clock = Stopwatch.StartNew();
        while (await scenario.IdleRowsInDatabase() < Sessions)
        {
            Assert.True(clock.Elapsed < Deadline, $"only {await scenario.IdleRowsInDatabase()} of {Sessions} sessions finished on B within {Deadline.TotalSeconds} s without being called");
            await Task.Delay(200);
        }
        Assert.True(scenario.B.Stepper.RowsSeen > 0, "silo B's model never ran a step");

        var finals = await scenario.PollUntilIdleThroughB(sessions);
        scenario.AssertFinishedWithEdits(sessions, finals, acknowledged);
        scenario.AssertResumedFromCheckpoints(sessions, checkpoints);
        await scenario.AssertTenantSlotsReturned();
    }

    [Fact]
    public async Task A_graceful_shutdown_hands_sessions_over_without_losing_progress()
    {
        // No periodic checkpoints on A: whatever progress reaches the database comes from the shutdown. No resume
        // reminder ticks during the test either: when B joins, a reminder that B now owns can reach a session before the
        // grain directory has handed A's activation over, and activate a second copy on B (Orleans' directory is
        // eventually consistent). That copy resumes from the last checkpoint and, owning the stored state, rightly makes
        // A's shutdown write fail on its ETag — a separate behaviour (docs/operations.md), not the handover tested here.
        await using var scenario = await Scenario.Start(postgres, "graceful", "--Sessions:CheckpointEverySteps=0", "--Sessions:ResumeReminderSeconds=600");
        await scenario.HoldModelOfA();
        var sessions = await scenario.CreateSessions();
        var acknowledged = await scenario.EditEach(sessions);
        scenario.ReleaseModelOfA();
        await scenario.WaitForProgress(sessions, committed: 6);
        // Slow both models down so no session can finish while A shuts down.
        scenario.A.Stepper.Delay = TimeSpan.FromMilliseconds(200);
        await scenario.StartB(new FakeStepper { Delay = TimeSpan.FromMilliseconds(200) });
        var shown = await scenario.MaskedThrough(scenario.A, sessions); // progress clients have seen
        Assert.All(sessions, s => Assert.True(shown[s.Id] < Budget));
        Assert.All((await scenario.StoredMasks(sessions)).Values, stored => Assert.Equal(Budget, stored));

        // A guard against a stop that hangs (e.g. on a step that never ends), not a timing requirement.
        await scenario.A.StopGracefully().WaitAsync(Deadline);

        // On its way out each session wrote its progress (at least what clients saw; steps only ever add to it).
        var handedOver = await scenario.StoredMasks(sessions);
        Assert.All(sessions, s => Assert.True(handedOver[s.Id] <= shown[s.Id],
            $"session {s.Id}: {shown[s.Id]} masks shown before the shutdown, but {handedOver[s.Id]} stored"));
        scenario.B.Stepper.Delay = TimeSpan.Zero;
        var finals = await scenario.PollUntilIdleThroughB(sessions);
        scenario.AssertFinishedWithEdits(sessions, finals, acknowledged);
        await scenario.AssertTenantSlotsReturned();
    }

    [Fact]
    public async Task A_PostgreSQL_outage_under_load_loses_nothing_acknowledged_and_heals_by_itself()
    {
        await using var scenario = await Scenario.Start(postgres, "outage");
        await scenario.HoldModelOfA();
        var sessions = await scenario.CreateSessions();
        var acknowledged = await scenario.EditEach(sessions);
        scenario.ReleaseModelOfA();
        await scenario.WaitForProgress(sessions, committed: 2);

        await postgres.Server.StopAsync();
        Dictionary<string, JsonElement> finals;
        try
        {
            // Nothing can be acknowledged while the database is down: the request fails, it does not half-succeed.
            using var refused = await scenario.A.Client.PostAsJsonAsync("/v1/sessions", new { text = "x = 1\n" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("Storage unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await scenario.AssertEditRefused(sessions[0]);
            // Denoising goes on without the database (checkpoints fail and are skipped), and the sessions finish:
            // their final writes and tenant-slot releases fail now and must be retried once it is back.
            scenario.A.Stepper.Delay = TimeSpan.FromMilliseconds(2);
            finals = await scenario.PollUntilIdle(scenario.A, sessions);
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        scenario.AssertFinishedWithEdits(sessions, finals, acknowledged);
        var clock = Stopwatch.StartNew();
        while (await scenario.IdleRowsInDatabase() < Sessions)
        {
            Assert.True(clock.Elapsed < Deadline, $"only {await scenario.IdleRowsInDatabase()} of {Sessions} settled sessions reached the database after the outage");
            await Task.Delay(200);
        }
        await scenario.AssertTenantSlotsReturned();
    }

    /// <summary>One test's cluster: its own database and cluster id, silo A at once, silo B on demand.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly string _connectionString;
        private readonly string _clusterId;
        private readonly NpgsqlDataSource _database;

        private Scenario(string connectionString, string clusterId, ClusterSilo a)
        {
            _connectionString = connectionString;
            _clusterId = clusterId;
            // Unpooled: the outage test restarts the server, which kills pooled connections (the silos' providers cope; this checker need not).
            _database = NpgsqlDataSource.Create(connectionString + ";Pooling=false");
            A = a;
        }

        public ClusterSilo A { get; }

        public ClusterSilo B { get; private set; } = null!;

        public static async Task<Scenario> Start(PostgresServerFixture postgres, string name, params string[] argsOfA)
        {
            var connectionString = await postgres.CreateDatabaseAsync(name);
            var clusterId = $"{name}-{Guid.NewGuid():N}"[..24];
            // A's model is slow enough that generation is still running when A dies.
            var a = await ClusterSilo.Start("A", connectionString, clusterId, new FakeStepper { Delay = TimeSpan.FromMilliseconds(25) }, argsOfA);
            return new Scenario(connectionString, clusterId, a);
        }

        public async Task StartB(FakeStepper? stepper = null) => B = await ClusterSilo.Start("B", _connectionString, _clusterId, stepper ?? new FakeStepper());

        public Task KillA() => A.Kill();

        /// <summary>
        /// Closes A's model: steps park there, so no version moves while edits are made or A is killed. Returns once no
        /// step is past the gate any more and each of <paramref name="sessions"/> has applied the last step that returned
        /// (a session sends its next row only after applying the last reply, so nothing else can still change it).
        /// </summary>
        public async Task HoldModelOfA(params List<SessionCase> sessions)
        {
            var stepper = A.Stepper;
            stepper.Gate.Reset();
            // Polls (here and below): neither the compute thread nor a session's grain signals a test across the host.
            await Until(() => Task.FromResult(stepper.Calls == stepper.Returned + stepper.Parked), "A's model to hold every step at its gate");
            var returned = stepper.Returned;
            var batches = stepper.Batches.ToArray();
            foreach (var session in sessions)
            {
                var marker = $"-{session.Index:00}\n";
                var last = Enumerable.Range(0, batches.Length)
                    .SelectMany(i => batches[i].Select(row => (Batch: i, Row: row)))
                    .LastOrDefault(r => Decode(r.Row).Contains(marker, StringComparison.Ordinal));
                if (last.Row is null) continue; // no step yet: nothing to apply
                // The fake commits one mask per row: a returned step leaves one mask fewer than its row had.
                var masked = last.Row.Count(t => t == CharTokenizer.Mask) - (last.Batch < returned ? 1 : 0);
                await Until(async () => (await Get(A.Client, session.Id)).GetProperty("masked").GetInt32() == masked,
                    $"session {session.Id} to apply its last step ({masked} masks left)");
            }
        }

        private static async Task Until(Func<Task<bool>> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!await condition())
            {
                Assert.True(clock.Elapsed < Deadline, $"timed out waiting for {what}");
                await Task.Delay(20);
            }
        }

        public void ReleaseModelOfA() => A.Stepper.Gate.Set();

        public async Task<List<SessionCase>> CreateSessions()
        {
            var cases = new List<SessionCase>();
            for (var i = 0; i < Sessions; i++)
            {
                var text = $"// EDITME-{i:00}\nfn f{i}() {{ ? }}\n";
                var start = text.IndexOf('?', StringComparison.Ordinal);
                using var response = await A.Client.PostAsJsonAsync("/v1/sessions",
                    new { text, regions = new[] { new { start, end = start + 1, maxTokens = Budget } } });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                var created = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("denoising", created.GetProperty("status").GetString());
                cases.Add(new SessionCase(i, created.GetProperty("id").GetString()!, text, start));
            }
            return cases;
        }

        public async Task WaitForProgress(List<SessionCase> sessions, int committed)
        {
            var clock = Stopwatch.StartNew();
            foreach (var session in sessions)
            {
                while ((await Get(A.Client, session.Id)).GetProperty("masked").GetInt32() > Budget - committed)
                {
                    Assert.True(clock.Elapsed < Deadline, $"session {session.Id} made no progress on A");
                    await Task.Delay(50);
                }
            }
        }

        public async Task<Dictionary<string, int>> MaskedThrough(ClusterSilo silo, List<SessionCase> sessions)
        {
            var masked = new Dictionary<string, int>();
            foreach (var session in sessions)
                masked[session.Id] = (await Get(silo.Client, session.Id)).GetProperty("masked").GetInt32();
            return masked;
        }

        /// <summary>Replaces "EDITME" with "edited" (same length) in each session; returns the acknowledged versions.</summary>
        /// <summary>An edit at the current version that cannot be stored: 503, and the session does not take it.</summary>
        public async Task AssertEditRefused(SessionCase session)
        {
            await HoldModelOfA(session); // so the version stays put between the read and the edit
            try
            {
                var before = await Get(A.Client, session.Id);
                var baseVersion = before.GetProperty("version").GetInt64();
                using var response = await A.Client.PostAsJsonAsync($"/v1/sessions/{session.Id}/edits",
                    new { baseVersion, edits = new[] { new { start = 0, end = 2, text = "#" } } });
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("1", response.Headers.RetryAfter?.ToString());
                var after = await Get(A.Client, session.Id);
                Assert.Equal(baseVersion, after.GetProperty("version").GetInt64());
                Assert.Equal(before.GetProperty("text").GetString(), after.GetProperty("text").GetString());
            }
            finally
            {
                ReleaseModelOfA();
            }
        }

        public async Task<Dictionary<string, long>> EditEach(List<SessionCase> sessions)
        {
            var acknowledged = new Dictionary<string, long>();
            foreach (var session in sessions)
            {
                var current = await Get(A.Client, session.Id);
                Assert.Equal("denoising", current.GetProperty("status").GetString());
                var baseVersion = current.GetProperty("version").GetInt64();
                using var response = await A.Client.PostAsJsonAsync($"/v1/sessions/{session.Id}/edits",
                    new { baseVersion, edits = new[] { new { start = 3, end = 9, text = "edited" } } });
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var edited = await response.Content.ReadFromJsonAsync<JsonElement>();
                var version = edited.GetProperty("version").GetInt64();
                Assert.Equal(baseVersion + 1, version);
                acknowledged[session.Id] = version;

                // Acknowledged means committed: the row already holds the edit at that version.
                var row = await Row(session.Id);
                Assert.Equal(version, row.GetProperty("Version").GetInt64());
                Assert.StartsWith($"// edited-{session.Index:00}", row.GetProperty("Fixed")[0].GetString(), StringComparison.Ordinal);
            }
            return acknowledged;
        }

        /// <summary>Masks left in each session's stored checkpoint (its row must still say denoising at the acknowledged version or later).</summary>
        public async Task<Dictionary<string, int>> CheckpointsInDatabase(List<SessionCase> sessions, Dictionary<string, long> acknowledged)
        {
            var masks = new Dictionary<string, int>();
            foreach (var session in sessions)
            {
                var row = await Row(session.Id);
                Assert.Equal("Denoising", row.GetProperty("Status").GetString());
                Assert.True(row.GetProperty("Version").GetInt64() >= acknowledged[session.Id]);
                var region = row.GetProperty("RegionTokens")[0];
                Assert.Equal(Budget, region.GetArrayLength());
                masks[session.Id] = region.EnumerateArray().Count(t => t.GetInt32() == CharTokenizer.Mask);
                Assert.True(masks[session.Id] > 0, $"session {session.Id} had already finished before the kill");
            }
            return masks;
        }

        /// <summary>Sessions took their tenant's slots on A; the tenant (reactivated on B from PostgreSQL) must get every one back.</summary>
        public async Task AssertTenantSlotsReturned()
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                await using var command = _database.CreateCommand(
                    "SELECT jsonb_array_length(state->'ActiveSessions') FROM grain_state WHERE grain_id = 'dev' AND state_name = 'tenant'");
                var active = (int)(await command.ExecuteScalarAsync())!;
                if (active == 0) return;
                Assert.True(clock.Elapsed < Deadline, $"tenant 'dev' still lists {active} active sessions after all finished");
                await Task.Delay(100);
            }
        }

        /// <summary>Masks left in each session's stored state (0 once it is stored as settled).</summary>
        public async Task<Dictionary<string, int>> StoredMasks(List<SessionCase> sessions)
        {
            var masks = new Dictionary<string, int>();
            foreach (var session in sessions)
            {
                var row = await Row(session.Id);
                masks[session.Id] = row.TryGetProperty("RegionTokens", out var regions) && regions.ValueKind == JsonValueKind.Array
                    ? regions.EnumerateArray().Sum(r => r.EnumerateArray().Count(t => t.GetInt32() == CharTokenizer.Mask))
                    : 0;
            }
            return masks;
        }

        public async Task<long> IdleRowsInDatabase()
        {
            await using var command = _database.CreateCommand(
                "SELECT count(*) FROM grain_state WHERE tenant = 'dev' AND state_name = 'session' AND state->>'Status' = 'Idle'");
            return (long)(await command.ExecuteScalarAsync())!;
        }

        /// <summary>GETs every session through a silo until idle; errors (e.g. while the cluster notices A's death) are retried.</summary>
        public Task<Dictionary<string, JsonElement>> PollUntilIdleThroughB(List<SessionCase> sessions) => PollUntilIdle(B, sessions);

        public async Task<Dictionary<string, JsonElement>> PollUntilIdle(ClusterSilo silo, List<SessionCase> sessions)
        {
            var finals = new Dictionary<string, JsonElement>();
            var clock = Stopwatch.StartNew();
            foreach (var session in sessions)
            {
                while (true)
                {
                    JsonElement? current = null;
                    try
                    {
                        current = await Get(silo.Client, session.Id);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                    {
                        Assert.True(clock.Elapsed < Deadline, $"session {session.Id} still failing on {silo.Name} after {Deadline.TotalSeconds} s: {ex.Message}");
                    }
                    if (current?.GetProperty("status").GetString() == "idle")
                    {
                        finals[session.Id] = current.Value;
                        break;
                    }
                    Assert.True(clock.Elapsed < Deadline, $"session {session.Id} did not finish on {silo.Name} within {Deadline.TotalSeconds} s");
                    await Task.Delay(100);
                }
            }
            return finals;
        }

        public void AssertFinishedWithEdits(List<SessionCase> sessions, Dictionary<string, JsonElement> finals, Dictionary<string, long> acknowledged)
        {
            foreach (var session in sessions)
            {
                var final = finals[session.Id];
                // The whole document fits the window, so the fake commits letter 'a' + p % 26 at document position p.
                var expected = "// edited" + session.Text[9..session.Start] + Letters(session.Start, Budget) + session.Text[(session.Start + 1)..];
                Assert.Equal(expected, final.GetProperty("text").GetString());
                Assert.Equal(0, final.GetProperty("masked").GetInt32());
                Assert.True(final.GetProperty("version").GetInt64() > acknowledged[session.Id], "the session went back before its acknowledged version");
            }
        }

        /// <summary>B's first window of each session already holds the tokens checkpointed before A died.</summary>
        public void AssertResumedFromCheckpoints(List<SessionCase> sessions, Dictionary<string, int> checkpoints)
        {
            var rows = B.Stepper.Batches.SelectMany(b => b).ToList();
            foreach (var session in sessions)
            {
                var marker = $"// edited-{session.Index:00}";
                var first = rows.FirstOrDefault(r => Decode(r).StartsWith(marker, StringComparison.Ordinal));
                Assert.True(first is not null, $"silo B never denoised session {session.Id}");
                var masked = first!.Count(t => t == CharTokenizer.Mask);
                Assert.True(masked <= checkpoints[session.Id],
                    $"session {session.Id} resumed on B with {masked} masks; its checkpoint before the kill had {checkpoints[session.Id]}");
            }
        }

        private async Task<JsonElement> Row(string id)
        {
            await using var command = _database.CreateCommand(
                "SELECT state::text FROM grain_state WHERE grain_id = $1 AND state_name = 'session'");
            command.Parameters.Add(new NpgsqlParameter { Value = $"dev/{id}" });
            var json = await command.ExecuteScalarAsync() as string;
            Assert.True(json is not null, $"no row for session {id}");
            return JsonDocument.Parse(json!).RootElement.Clone();
        }

        private static async Task<JsonElement> Get(HttpClient client, string id)
        {
            using var response = await client.GetAsync($"/v1/sessions/{id}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {id}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        private static string Decode(int[] tokens) =>
            string.Concat(tokens.Select(t => t >= 3 ? ((char)(t - 3)).ToString() : "\0"));

        private static string Letters(int from, int count) =>
            string.Concat(Enumerable.Range(from, count).Select(p => (char)('a' + p % 26)));

        public async ValueTask DisposeAsync()
        {
            if (B is not null) await B.DisposeAsync();
            await A.DisposeAsync();
            await _database.DisposeAsync();
        }
    }

    private sealed record SessionCase(int Index, string Id, string Text, int Start);
}
