using System.Text.Json;
using SeedGrains.Abstractions.Collaboration;

namespace SeedGrains.Grains.Tests.Collaboration;

/// <summary>Every case of tests/cases/transform-cases.json (shared with client libraries) against the server's rebase.</summary>
public sealed class TransformCasesFileTests
{
    private static readonly JsonElement Cases = LoadCases();

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var item in Cases.EnumerateArray())
            names.Add(item.GetProperty("name").GetString()!);
        return names;
    }

    [Fact]
    public void The_file_has_named_cases_of_every_kind()
    {
        var results = Cases.EnumerateArray().Select(c => c.GetProperty("expected").GetProperty("result").GetString()).ToList();
        Assert.InRange(results.Count, 30, 60);
        Assert.Equal(results.Count, Cases.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Distinct().Count());
        Assert.Contains("rebased", results);
        Assert.Contains("conflict", results);
        Assert.Contains("tooOld", results);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rebase_gives_the_expected_result(string name)
    {
        var item = Cases.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var text = item.GetProperty("text").GetString()!;
        var log = new ChangeLog(item.GetProperty("version").GetInt64(), TimeProvider.System);
        foreach (var entry in item.GetProperty("log").EnumerateArray())
        {
            var change = new TextChange(entry.GetProperty("version").GetInt64(), entry.GetProperty("author").GetString(), Ranges(entry));
            text = change.Apply(text);
            log.Append(change);
        }
        var edit = item.GetProperty("edit");
        var result = log.Rebase(
            new PersonEdit(edit.GetProperty("clientId").GetString(), null, edit.GetProperty("baseVersion").GetInt64(), Ranges(edit)),
            text.Length);

        var expected = item.GetProperty("expected");
        switch (expected.GetProperty("result").GetString())
        {
            case "rebased":
                var rebased = Assert.IsType<RebaseResult.Rebased>(result);
                Assert.Equal(Ranges(expected), rebased.Ranges);
                Assert.Equal(expected.GetProperty("text").GetString(), RangeSet.Apply(text, rebased.Ranges));
                break;
            case "conflict":
                var conflict = Assert.IsType<RebaseResult.Conflict>(result);
                Assert.Equal(
                    new RebaseResult.Conflict(
                        expected.GetProperty("start").GetInt32(), expected.GetProperty("end").GetInt32(),
                        expected.GetProperty("currentVersion").GetInt64(), expected.GetProperty("conflictingVersion").GetInt64(),
                        expected.GetProperty("conflictingAuthor").GetString()),
                    conflict);
                break;
            case "tooOld":
                Assert.Equal(
                    new RebaseResult.TooOld(expected.GetProperty("oldestBaseVersion").GetInt64(), expected.GetProperty("currentVersion").GetInt64()),
                    result);
                break;
            default:
                Assert.Fail($"unknown expected result in case '{name}'");
                break;
        }
    }

    private static ReplacedRange[] Ranges(JsonElement owner) =>
        owner.GetProperty("ranges").EnumerateArray()
            .Select(r => new ReplacedRange(r.GetProperty("start").GetInt32(), r.GetProperty("end").GetInt32(), r.GetProperty("text").GetString()!))
            .ToArray();

    private static JsonElement LoadCases()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "cases", "transform-cases.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").Clone();
    }
}
