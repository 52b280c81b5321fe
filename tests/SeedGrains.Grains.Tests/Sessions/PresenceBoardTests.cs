using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class PresenceBoardTests
{
    [Fact]
    public void A_presence_is_rebased_to_the_current_version_and_moves_with_later_changes()
    {
        var time = new FakeTimeProvider();
        var log = new ChangeLog(1, time);
        log.Append(new TextChange(2, "ann", [new ReplacedRange(0, 0, "abc")]));
        var board = new PresenceBoard(time);

        var view = board.Set(new PresenceUpdate("bob", "Bob", 1, Cursor: 2, SelectionStart: 1, SelectionEnd: 4), log, currentLength: 13);
        Assert.Equal(new PresenceView("bob", "Bob", 2, 5, 4, 7), view);

        board.Rebase(new TextChange(3, ChangeAuthors.Model, [new ReplacedRange(4, 6, "")]));
        Assert.Equal(new PresenceView("bob", "Bob", 3, 4, 4, 5), Assert.Single(board.Current));
    }

    [Fact]
    public void A_client_silent_for_thirty_seconds_expires_and_one_that_speaks_again_stays()
    {
        var time = new FakeTimeProvider();
        var log = new ChangeLog(1, time);
        var board = new PresenceBoard(time);
        board.Set(new PresenceUpdate("ann", null, 1, 0), log, 10);
        board.Set(new PresenceUpdate("bob", null, 1, 0), log, 10);

        time.Advance(TimeSpan.FromSeconds(20));
        board.Set(new PresenceUpdate("bob", null, 1, 3), log, 10);
        time.Advance(TimeSpan.FromSeconds(11));

        var gone = Assert.Single(board.Expire(currentVersion: 1));
        Assert.Equal(("ann", true), (gone.ClientId, gone.Left));
        Assert.Equal("bob", Assert.Single(board.Current).ClientId);
        Assert.Empty(board.Expire(1));
    }

    [Fact]
    public void Positions_outside_the_base_text_are_refused()
    {
        var time = new FakeTimeProvider();
        var board = new PresenceBoard(time);
        Assert.Throws<InvalidSessionRequestException>(() => board.Set(new PresenceUpdate("ann", null, 1, 11), new ChangeLog(1, time), 10));
        Assert.Throws<InvalidSessionRequestException>(() => board.Set(new PresenceUpdate("", null, 1, 0), new ChangeLog(1, time), 10));
    }
}
