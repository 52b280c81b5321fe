using SeedGrains.Diffusion.Tokenization;

namespace SeedGrains.Diffusion.Tests.Tokenization;

/// <summary>CodeTokenizer against HF tokenizers' own output on the 49 fixture cases.</summary>
public sealed class HfParityTests
{
    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < TokenizerFixtures.Cases.Count; i++) data.Add(i);
        return data;
    }

    [Fact]
    public void FixtureHas49Cases() => Assert.Equal(49, TokenizerFixtures.Cases.Count);

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void IdsEqualHf(int index)
    {
        var testCase = TokenizerFixtures.Cases[index];
        Assert.Equal(testCase.Ids, TokenizerFixtures.Tokenizer.Encode(testCase.Text).Ids);
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void DecodeGivesBackTheNfcText(int index)
    {
        var text = TokenizerFixtures.Cases[index].Text;
        var tokenizer = TokenizerFixtures.Tokenizer;
        Assert.Equal(text.Normalize(System.Text.NormalizationForm.FormC), tokenizer.Decode(tokenizer.Encode(text).Ids));
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void OffsetsTileTheTextAndEachRangeIsWhatItsTokenCompletes(int index)
    {
        var text = TokenizerFixtures.Cases[index].Text;
        var tokenizer = TokenizerFixtures.Tokenizer;
        var encoded = tokenizer.Encode(text);
        Assert.Equal(encoded.Ids.Length, encoded.Offsets.Length);
        Assert.Null(OffsetCheck.FindProblem(encoded.Offsets, text.Length));
        var completed = TokenizerFixtures.TextCompletedByEachToken(tokenizer, encoded.Ids);
        for (var i = 0; i < encoded.Ids.Length; i++)
        {
            var (start, end) = encoded.Offsets[i];
            Assert.Equal(tokenizer.Normalize(text[start..end]), completed[i]);
        }
    }

    [Fact]
    public void ParityReportIsCleanOnTheFixture()
    {
        var report = TokenizerParityReport.Check(TokenizerFixtures.Tokenizer, TokenizerFixtures.Cases);
        Assert.Equal((49, 0, 0, 0), (report.Cases, report.Mismatches, report.RoundtripFailures, report.OffsetFailures));
    }

    [Fact]
    public void ParityReportCountsAWrongId()
    {
        var cases = TokenizerFixtures.Cases.Take(3).ToList();
        cases[1] = cases[1] with { Ids = cases[1].Ids.Select((id, i) => i == 2 ? id + 1 : id).ToArray() };
        var report = TokenizerParityReport.Check(TokenizerFixtures.Tokenizer, cases);
        Assert.Equal(1, report.Mismatches);
        Assert.Contains("case 1: ids differ at position 2", report.Failures[0]);
    }
}
