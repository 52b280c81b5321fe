using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>
/// Four clients type at random (inserts, deletes, replacements, some inside regions the model is filling) against
/// stale versions, with every channel delayed and the channels of a client interleaved at random, while the model
/// fills placeholders. At the end every client has the server's text, every accepted marker is there exactly once,
/// every refused one is gone, and the original characters nobody's accepted edit covered are all there, in order.
/// </summary>
public sealed class ConvergenceSimulationTests
{
    private const int Rounds = 1200;

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(6, false)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    public void Clients_and_the_model_converge(int seed, bool tinyLog)
    {
        var random = new Random(seed);
        var original = InitialText();
        var limits = tinyLog ? new ChangeLogLimits { MinVersions = 6, MaxEntries = 6 } : ChangeLogLimits.Default;
        var server = new FakeCollabServer(original, new ChangeLog(1, new FakeTimeProvider(), limits));
        var clients = Enumerable.Range(0, 4).Select(i => new SimulatedClient($"client{i}", original, 1)).ToArray();
        var markers = 0;
        char NextMarker() => Alphabet.Marker(markers++);

        for (var round = 0; round < Rounds; round++)
        {
            var client = clients[random.Next(clients.Length)];
            switch (random.Next(20))
            {
                case < 6: client.Type(random, NextMarker); break;
                case < 8: Broadcast(clients, server.ModelStep(random)); break;
                case < 13: DeliverRequest(client, server, clients); break;
                case < 19: if (client.Stream.Count > 0) client.DeliverStreamEvent(); break;
                default: if (client.Rejections.Count > 0) client.DeliverRejection(); break;
            }
        }
        while (clients.Any(c => !c.Idle))
        {
            foreach (var client in clients)
            {
                while (client.Requests.Count > 0)
                    DeliverRequest(client, server, clients);
                while (client.Rejections.Count > 0)
                    client.DeliverRejection();
                while (client.Stream.Count > 0)
                    client.DeliverStreamEvent();
            }
        }

        foreach (var client in clients)
        {
            Assert.Equal(server.Text, client.Document.Text);
            Assert.Equal(server.Version, client.Document.ConfirmedVersion);
            Assert.Empty(client.Document.Pending);
        }
        var typed = clients.SelectMany(c => c.TypedMarkers).ToHashSet();
        foreach (var marker in typed)
            Assert.Equal(server.AcceptedMarkers.Contains(marker) ? 1 : 0, server.Text.Count(c => c == marker));
        var untouched = original.Where(c => Alphabet.IsOriginal(c) && !server.TouchedOriginals.Contains(c));
        Assert.Equal(new string(untouched.ToArray()), new string(server.Text.Where(Alphabet.IsOriginal).ToArray()));

        // The run exercised what it claims to: stale bases, refusals (both kinds when the log is tiny), the model.
        Assert.True(server.AcceptedMarkers.Count > 50, $"{server.AcceptedMarkers.Count} markers accepted");
        Assert.True(server.StaleAccepted > 20, $"{server.StaleAccepted} stale edits accepted");
        Assert.True(server.Conflicts > 0 || tinyLog, "no conflicts"); // a tiny log refuses most stale edits as too old first
        Assert.True(clients.Sum(c => c.RolledBack) > 0, "no edit was rolled back");
        Assert.True(server.ModelChanges > 50, $"{server.ModelChanges} model changes");
        Assert.True(typed.Count > server.AcceptedMarkers.Count, "no marker was refused");
        Assert.Equal(tinyLog, server.TooOld > 0);
    }

    private static void DeliverRequest(SimulatedClient client, FakeCollabServer server, SimulatedClient[] clients)
    {
        if (client.Requests.Count == 0)
            return;
        var request = client.Requests.Dequeue();
        if (server.Submit(request) is { } change)
            Broadcast(clients, change);
        else
            client.Rejections.Enqueue(request.EditId!);
    }

    private static void Broadcast(SimulatedClient[] clients, TextChange change)
    {
        foreach (var client in clients)
            client.Stream.Enqueue(change);
    }

    /// <summary>60 unique original characters with three runs of placeholders among them.</summary>
    private static string InitialText()
    {
        var chars = Enumerable.Range(0, 60).Select(Alphabet.Original).ToList();
        chars.InsertRange(45, new string(FakeCollabServer.Placeholder, 6));
        chars.InsertRange(25, new string(FakeCollabServer.Placeholder, 4));
        chars.InsertRange(5, new string(FakeCollabServer.Placeholder, 5));
        return new string(chars.ToArray());
    }
}
