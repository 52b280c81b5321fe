using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

public sealed class ClientDocumentTests
{
    private readonly ClientDocument _alice = new("alice", "hello world", 1);

    [Fact]
    public void One_edit_is_in_flight_and_the_next_waits_for_its_acknowledgement()
    {
        var first = _alice.LocalEdit([new(0, 5, "HOWDY")]);
        var second = _alice.LocalEdit([new(11, 11, "!")]);

        Assert.Equal(new PersonEdit("alice", "alice:1", 1, [new(0, 5, "HOWDY")]), first);
        Assert.Null(second);
        Assert.Equal("HOWDY world!", _alice.Text);
        Assert.Equal("hello world", _alice.ConfirmedText);

        var update = _alice.OnServerChange(new TextChange(2, "alice", [new(0, 5, "HOWDY")], "alice:1"));

        Assert.Empty(update.LocalChanges);
        Assert.Equal(new PersonEdit("alice", "alice:2", 2, [new(11, 11, "!")]), update.ToSend);
        Assert.Equal("HOWDY world", _alice.ConfirmedText);
        Assert.Equal("HOWDY world!", _alice.Text);
    }

    [Fact]
    public void Another_persons_change_is_transformed_past_the_pending_edits()
    {
        var sent = _alice.LocalEdit([new(11, 11, "!")])!;
        _alice.LocalEdit([new(0, 0, "A")]);

        var update = _alice.OnServerChange(new TextChange(2, "bob", [new(6, 11, "there")], "bob:1"));

        Assert.Equal("Ahello there!", _alice.Text);
        Assert.Equal([[new ReplacedRange(7, 12, "there")]], update.LocalChanges);
        Assert.Null(update.ToSend);
        // The acknowledgement carries the edit as the server rebased it: the same ranges the client holds.
        Assert.Equal([new ReplacedRange(11, 11, "!")], _alice.Pending[0].Ranges);
        Assert.Equal(sent.BaseVersion, _alice.Pending[0].BaseVersion);
        var ack = _alice.OnServerChange(new TextChange(3, "alice", [new(11, 11, "!")], "alice:1"));
        Assert.Equal(new PersonEdit("alice", "alice:2", 3, [new(0, 0, "A")]), ack.ToSend);
    }

    [Fact]
    public void A_model_change_inside_a_pending_edit_is_covered_by_the_persons_text()
    {
        _alice.LocalEdit([new(6, 11, "there")]);

        _alice.OnServerChange(new TextChange(2, ChangeAuthors.Model, [new(7, 9, "ZZZ")]));

        Assert.Equal("hello wZZZld", _alice.ConfirmedText);
        Assert.Equal("hello there", _alice.Text);
        Assert.Equal([new ReplacedRange(6, 12, "there")], _alice.Pending[0].Ranges);
    }

    [Fact]
    public void An_overlap_with_another_person_rolls_the_edit_back_at_once_and_its_409_is_expected()
    {
        _alice.LocalEdit([new(6, 11, "there")]);
        _alice.LocalEdit([new(0, 0, ">")]);

        var update = _alice.OnServerChange(new TextChange(2, "bob", [new(8, 9, "R")], "bob:1"));

        Assert.Equal(["alice:1"], update.RolledBack);
        Assert.Equal(">hello woRld", _alice.Text);
        Assert.Equal(new PersonEdit("alice", "alice:2", 2, [new(0, 0, ">")]), update.ToSend);
        Assert.Same(ClientUpdate.Nothing, _alice.OnRejected("alice:1"));
        Assert.Equal(">hello woRld", _alice.Text);
    }

    [Fact]
    public void A_rejected_edit_is_undone_and_the_later_ones_are_rebased_without_it()
    {
        _alice.LocalEdit([new(0, 5, "HOWDY")]);
        _alice.LocalEdit([new(5, 5, "!")]);

        var update = _alice.OnRejected("alice:1");

        Assert.Equal(["alice:1"], update.RolledBack);
        Assert.Equal("hello! world", _alice.Text);
        Assert.Equal(new PersonEdit("alice", "alice:2", 1, [new(5, 5, "!")]), update.ToSend);
        Assert.Equal("hello! world", update.LocalChanges.Aggregate("HOWDY! world", RangeSet.Apply));
    }

    [Fact]
    public void Seen_versions_are_ignored_and_a_gap_asks_for_a_snapshot()
    {
        Assert.Same(ClientUpdate.Nothing, _alice.OnServerChange(new TextChange(1, "bob", [new(0, 0, "x")])));
        Assert.Throws<InvalidOperationException>(() => _alice.OnServerChange(new TextChange(3, "bob", [new(0, 0, "x")])));
    }

    [Fact]
    public void An_acknowledgement_that_differs_from_the_clients_transform_is_divergence()
    {
        _alice.LocalEdit([new(0, 5, "HOWDY")]);

        Assert.Throws<InvalidOperationException>(() => _alice.OnServerChange(new TextChange(2, "alice", [new(0, 4, "HOWDY")], "alice:1")));
    }

    [Fact]
    public void The_model_name_is_not_a_client_id() =>
        Assert.Throws<ArgumentException>(() => new ClientDocument(ChangeAuthors.Model, "", 1));
}
