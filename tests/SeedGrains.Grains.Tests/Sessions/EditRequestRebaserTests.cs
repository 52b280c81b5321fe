using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class EditRequestRebaserTests
{
    // Version 1: "0123456789"; 2: the model writes "ab" over [4, 6); 3: ann inserts "!" at 8 (of version 2's text).
    private static ChangeLog Log()
    {
        var log = new ChangeLog(1, new FakeTimeProvider());
        log.Append(new TextChange(2, ChangeAuthors.Model, [new ReplacedRange(4, 6, "ab")]));
        log.Append(new TextChange(3, "ann", [new ReplacedRange(8, 8, "!")]));
        return log;
    }

    private const int CurrentLength = 11; // "0123ab67!89"

    [Fact]
    public void Edits_and_regenerate_ranges_are_rebased_past_every_change_since_the_base()
    {
        var request = new EditRequest(1, [new TextEdit(9, 10, "N"), new TextEdit(0, 0, ">>")], [new TextRegion(3, 7, MaxTokens: 2)], ClientId: "bob");

        var rebased = EditRequestRebaser.Rebase(Log(), CurrentLength, request);

        Assert.Equal(new[] { new ReplacedRange(0, 0, ">>"), new ReplacedRange(10, 11, "N") }, rebased.Edits);
        // [3, 7) of the base text with the edit (">>012345678N") is "1234"; the model's "ab" over "45" overlaps it, so
        // the range grows to cover that change: "123ab" of the current text with the edit (">>0123ab67!8N").
        Assert.Equal(new TextRegion(3, 8, 2), Assert.Single(rebased.Regenerate));
        Assert.Equal(">>0123ab67!8N", RangeSet.Apply("0123ab67!89", rebased.Edits));
    }

    [Fact]
    public void A_request_whose_client_and_edit_id_are_in_a_change_since_its_base_was_applied_already()
    {
        var log = Log();
        log.Append(new TextChange(4, "bob", [new ReplacedRange(0, 0, ">")], EditId: "bob.7:1"));

        Assert.True(EditRequestRebaser.AlreadyApplied(log, new EditRequest(2, [new TextEdit(0, 0, ">")], [], ClientId: "bob", EditId: "bob.7:1")));
        Assert.True(EditRequestRebaser.AlreadyApplied(log, new EditRequest(3, [], [], ClientId: "bob", EditId: "bob.7:1")));
        // Another edit id, another client, no ids, or a base after that change: a new request.
        Assert.False(EditRequestRebaser.AlreadyApplied(log, new EditRequest(2, [], [], ClientId: "bob", EditId: "bob.7:2")));
        Assert.False(EditRequestRebaser.AlreadyApplied(log, new EditRequest(2, [], [], ClientId: "ann", EditId: "bob.7:1")));
        Assert.False(EditRequestRebaser.AlreadyApplied(log, new EditRequest(2, [], [], ClientId: "bob")));
        Assert.False(EditRequestRebaser.AlreadyApplied(log, new EditRequest(4, [], [], ClientId: "bob", EditId: "bob.7:1")));
        // A base newer than the log, or one that left it, is for Rebase to refuse.
        Assert.False(EditRequestRebaser.AlreadyApplied(log, new EditRequest(9, [], [], ClientId: "bob", EditId: "bob.7:1")));
    }

    [Fact]
    public void Only_an_overlap_with_another_persons_change_or_a_base_that_left_the_log_is_refused()
    {
        var conflict = Assert.Throws<EditConflictException>(() =>
            EditRequestRebaser.Rebase(Log(), CurrentLength, new EditRequest(1, [new TextEdit(7, 9, "x")], [], ClientId: "bob")));
        Assert.Equal((8, 9, 3L, 3L, "ann"), (conflict.Start, conflict.End, conflict.CurrentVersion, conflict.ConflictingVersion, conflict.ConflictingAuthor));

        // Over the model's range: merged, the person's text wins.
        var overModel = EditRequestRebaser.Rebase(Log(), CurrentLength, new EditRequest(1, [new TextEdit(5, 6, "Z")], [], ClientId: "bob"));
        Assert.Equal(new[] { new ReplacedRange(4, 6, "Z") }, overModel.Edits);

        var log = new ChangeLog(1, new FakeTimeProvider(), new ChangeLogLimits { MinVersions = 1, MaxEntries = 1, MinAge = TimeSpan.Zero });
        log.Append(new TextChange(2, null, []));
        log.Append(new TextChange(3, null, []));
        var old = Assert.Throws<BaseVersionTooOldException>(() => EditRequestRebaser.Rebase(log, 10, new EditRequest(1, [], [])));
        Assert.Equal((2L, 3L), (old.OldestBaseVersion, old.CurrentVersion));
        Assert.Throws<InvalidSessionRequestException>(() => EditRequestRebaser.Rebase(log, 10, new EditRequest(4, [], [])));
    }
}
