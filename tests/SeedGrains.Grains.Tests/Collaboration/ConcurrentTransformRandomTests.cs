using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>TP1 on random multi-range edits and changes of a longer text, beyond what the exhaustive test covers.</summary>
public sealed class ConcurrentTransformRandomTests
{
    [Theory]
    [InlineData(ChangeRelation.Merge)]
    [InlineData(ChangeRelation.OtherPerson)]
    public void Random_range_sets_converge(ChangeRelation relation)
    {
        var random = new Random(20261206);
        const string text = "abcdefghijklmnopqrstuvwxyz";
        var merged = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var edit = RandomSet(random, text.Length, "XYZ");
            var change = RandomSet(random, text.Length, "123");
            var outcome = ConcurrentTransform.Transform(edit, change, relation);
            if (outcome.IsConflict)
            {
                Assert.Equal(ChangeRelation.OtherPerson, relation);
                Assert.Contains(edit, e => ConcurrentTransform.Overlaps(e, change[outcome.ConflictingRange!.Value]));
                continue;
            }
            Assert.Equal(
                RangeSet.Apply(RangeSet.Apply(text, change), outcome.Edit),
                RangeSet.Apply(RangeSet.Apply(text, edit), outcome.Change));
            merged++;
        }
        Assert.True(merged > 2_000, $"only {merged} rounds merged");
    }

    [Fact]
    public void A_conflict_is_reported_only_for_another_person()
    {
        ReplacedRange[] edit = [new(2, 6, "X")];
        ReplacedRange[] change = [new(0, 1, "a"), new(4, 8, "b")];

        Assert.Equal(1, ConcurrentTransform.Transform(edit, change, ChangeRelation.OtherPerson).ConflictingRange);
        Assert.False(ConcurrentTransform.Transform(edit, change, ChangeRelation.Merge).IsConflict);
    }

    [Fact]
    public void No_op_ranges_are_ignored()
    {
        // An empty insertion by another person inside the edit's range changes nothing, so it is no conflict.
        var outcome = ConcurrentTransform.Transform([new(0, 4, "X")], [new(2, 2, "")], ChangeRelation.OtherPerson);

        Assert.False(outcome.IsConflict);
        Assert.Equal([new ReplacedRange(0, 4, "X")], outcome.Edit);
        Assert.Empty(outcome.Change);
    }

    private static ReplacedRange[] RandomSet(Random random, int length, string letters)
    {
        var ranges = new List<ReplacedRange>();
        var position = 0;
        for (var i = random.Next(1, 5); i > 0 && position <= length; i--)
        {
            var start = random.Next(position, Math.Min(length, position + 6) + 1);
            var end = Math.Min(length, start + random.Next(0, 4));
            if (ranges.Count > 0 && start == end && ranges[^1].Start == ranges[^1].End && ranges[^1].Start == start)
                break;
            var text = new string(letters[random.Next(letters.Length)], random.Next(0, 3));
            ranges.Add(new ReplacedRange(start, end, text));
            position = end;
        }
        return ranges.ToArray();
    }
}
