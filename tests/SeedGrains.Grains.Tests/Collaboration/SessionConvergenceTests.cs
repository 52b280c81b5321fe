using System.Text.RegularExpressions;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Tests.Fakes;
using Xunit.Abstractions;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// The must-show test of issue #14 against the real session grain (in-process cluster, fake model): four clients, each
/// a <see cref="ClientDocument"/>, type at random — inserts, deletes, replacements, some inside regions the model is
/// filling, all against stale versions — while the model steps; deliveries of the server's changes to each client,
/// sends and model steps are driven one at a time by a seeded random schedule (each model step is released explicitly
/// and awaited until the loop has finished it), so a seed replays the same run. At the end every client's text equals
/// the server's, every acknowledged insert appears exactly once (rolled-back ones never), and the initial text lost
/// only characters that people deleted — nothing else changed outside people's and the model's text.
/// </summary>
public sealed partial class SessionConvergenceTests(ITestOutputHelper output)
{
    private const string Initial = "ALPHA BETA GAMMA DELTA EPSILON ZETA ETA THETA IOTA KAPPA LAMBDA MU NU XI OMICRON PI RHO SIGMA TAU";

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    public async Task Four_clients_and_the_model_converge_on_the_session(int seed)
    {
        var random = new Random(seed);
        var permits = new SemaphoreSlim(0);
        var stepsOpen = false;
        var stepper = new FakeStepper { BeforeStep = _ => { if (!Volatile.Read(ref stepsOpen) && !permits.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("no permit"); } };
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "collab-" + seed);
        await session.Create(new CreateSessionRequest(Initial, [new TextRegion(6, 10, MaxTokens: 40), new TextRegion(40, 44, MaxTokens: 40), new TextRegion(80, 80, MaxTokens: 40)]));
        await using var events = new SessionEventReader(session);
        var start = await events.First;
        var clients = Enumerable.Range(1, 4).Select(i => new Peer(new ClientDocument($"c{i}", start.Text, start.Version), i)).ToList();
        var steps = 1;
        await stepper.WhenCalls(steps);
        var stats = new Dictionary<string, int>();

        for (var round = 0; round < 240; round++)
        {
            var peer = clients[random.Next(clients.Count)];
            var action = random.Next(100) switch { < 40 => "type", < 65 => "send", < 88 => "deliver", _ => "step" };
            stats[action] = stats.GetValueOrDefault(action) + 1;
            switch (action)
            {
                case "type":
                    peer.Type(random);
                    break;
                case "send":
                    await peer.Send(session, stats);
                    break;
                case "deliver":
                    for (var n = random.Next(1, 4); n > 0 && peer.Document.ConfirmedVersion < events.LastVersion; n--)
                        peer.Deliver(events.Change(peer.Document.ConfirmedVersion + 1));
                    break;
                case "step" when (await session.Get()).Status == SessionStatus.Denoising:
                    permits.Release();
                    await stepper.WhenCalls(++steps); // the next step started: this one's tick (commit or discard) is over
                    break;
            }
        }

        // Let the model finish, then drain: send what waits, deliver everything, until nothing moves.
        Volatile.Write(ref stepsOpen, true);
        permits.Release(1000);
        var settled = (await session.UntilSettled())[^1].Snapshot;
        while (clients.Any(c => c.Outbox is not null || c.Document.ConfirmedVersion < events.LastVersion))
        {
            foreach (var peer in clients)
            {
                await peer.Send(session, stats);
                await events.WhenVersion((await session.Get()).Version);
                while (peer.Document.ConfirmedVersion < events.LastVersion)
                    peer.Deliver(events.Change(peer.Document.ConfirmedVersion + 1));
            }
        }

        var server = await session.Get();
        output.WriteLine($"seed {seed}: {string.Join(", ", stats.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}; version {server.Version}; text {server.Text}");
        Assert.Equal(SessionStatus.Idle, server.Status);
        Assert.All(clients, c => Assert.Equal(server.Text, c.Document.Text));
        Assert.All(clients, c => Assert.Empty(c.Document.Pending));
        var markers = Marker().Matches(server.Text).Select(m => m.Value).ToList();
        var acknowledged = clients.SelectMany(c => c.Acknowledged).ToList();
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), markers.Order(StringComparer.Ordinal)); // each exactly once
        Assert.DoesNotContain(clients.SelectMany(c => c.RolledBackMarkers), markers.Contains);
        var rest = ModelText().Replace(Marker().Replace(server.Text, ""), "");
        Assert.True(IsSubsequence(rest, Initial), $"text outside people's and the model's changes was altered: '{rest}'");
        Assert.Equal(0, events.Resyncs);
        Assert.True(stats.GetValueOrDefault("accepted") > 40 && stats.GetValueOrDefault("step") > 10, string.Join(", ", stats));
        Assert.True(acknowledged.Count > 20, $"{acknowledged.Count} inserts acknowledged");
    }

    private static bool IsSubsequence(string part, string whole)
    {
        var k = 0;
        foreach (var c in whole)
            if (k < part.Length && part[k] == c) k++;
        return k == part.Length;
    }

    [GeneratedRegex(@"\{\d+\.\d+\}")]
    private static partial Regex Marker();

    // The fake model writes lowercase letters; a mask placeholder a person cut leaves some of "<|mask|>".
    [GeneratedRegex("[a-z<|>]")]
    private static partial Regex ModelText();

    /// <summary>One simulated client: its document, the request waiting to be sent, and the markers it typed.</summary>
    private sealed class Peer(ClientDocument document, int index)
    {
        private readonly Dictionary<string, string> _markerOf = [];
        private readonly HashSet<string> _rolledBack = [];
        private int _typed;

        public ClientDocument Document { get; } = document;

        public PersonEdit? Outbox { get; private set; }

        public IEnumerable<string> Acknowledged => _markerOf.Where(m => !_rolledBack.Contains(m.Key)).Select(m => m.Value);

        public IEnumerable<string> RolledBackMarkers => _markerOf.Where(m => _rolledBack.Contains(m.Key)).Select(m => m.Value);

        public void Type(Random random)
        {
            var text = Document.Text;
            var marker = $"{{{index}.{++_typed}}}";
            var kind = random.Next(3);
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var start = random.Next(text.Length + 1);
                var end = kind == 0 ? start : Math.Min(text.Length, start + random.Next(1, 12));
                if (!Boundary(text, start) || !Boundary(text, end) || text.AsSpan(start, end - start).IndexOfAny('{', '}') >= 0) continue;
                var insert = kind == 1 ? "" : marker;
                if (start == end && insert.Length == 0) continue;
                Take(Document.LocalEdit([new ReplacedRange(start, end, insert)]));
                if (insert.Length > 0) _markerOf[Document.Pending[^1].EditId!] = marker;
                return;
            }
        }

        public async Task Send(Abstractions.Sessions.ISessionGrain session, Dictionary<string, int> stats)
        {
            if (Outbox is not { } edit) return;
            Outbox = null;
            try
            {
                await session.Edit(new EditRequest(edit.BaseVersion, edit.Ranges.Select(r => new TextEdit(r.Start, r.End, r.Text)).ToList(), [],
                    ClientId: Document.ClientId, EditId: edit.EditId));
                stats["accepted"] = stats.GetValueOrDefault("accepted") + 1;
            }
            catch (EditConflictException)
            {
                stats["conflict"] = stats.GetValueOrDefault("conflict") + 1;
                Take(Document.OnRejected(edit.EditId!));
            }
        }

        public void Deliver(TextChange change) => Take(Document.OnServerChange(change));

        private void Take(PersonEdit? toSend)
        {
            if (toSend is not null) Outbox = toSend;
        }

        private void Take(ClientUpdate update)
        {
            foreach (var id in update.RolledBack) _rolledBack.Add(id);
            Take(update.ToSend);
        }

        /// <summary>Not strictly inside one of the markers people typed.</summary>
        private static bool Boundary(string text, int p)
        {
            if (p == 0 || p == text.Length) return true;
            var open = text.LastIndexOf('{', p - 1);
            return open < 0 || text.IndexOf('}', open) < p;
        }
    }
}
