using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>
/// Every change of a canvas comes with its exact ranges: applied to the rendered text before, they give exactly the
/// rendered text after — for model steps, edits (also into regions still generating), regenerate and cancel.
/// </summary>
public sealed class DocumentCanvasChangeTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);
    private const string Mask = SessionSnapshot.MaskPlaceholder;

    private static DocumentCanvas Canvas(string text, params TextRegion[] regions) =>
        DocumentCanvas.Create(text, regions, new CharTokenizer(), Specials, new SessionOptions { PadEndsRegion = false });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_changes_on_random_documents_are_exactly_their_ranges(int seed)
    {
        var random = new Random(seed);
        var document = new SessionDocument("s");
        document.Start(RandomCanvas(random), 1, SessionStatus.Denoising);
        var kinds = new Dictionary<string, int>();
        for (var round = 0; round < 400; round++)
        {
            var before = document.Snapshot!.Text;
            var canvas = document.Canvas!;
            string kind;
            TextChange change;
            if (canvas.Masked > 0 && random.Next(3) == 0)
            {
                kind = "step";
                change = Step(document, random);
            }
            else
            {
                var next = random.Next(10) switch
                {
                    < 6 => ("edit", canvas.WithChange(RandomRanges(random, before))),
                    < 9 => ("regenerate", canvas.WithRegenerated(RandomRegions(random, before))),
                    _ => ("cancel", canvas.WithoutMasks()),
                };
                kind = next.Item1;
                change = new TextChange(document.Version + 1, "p", next.Item2.Ranges);
                document.Replace(next.Item2.Canvas, next.Item2.Canvas.Masked > 0 ? SessionStatus.Denoising : SessionStatus.Idle, null, [change]);
            }
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            Assert.True(change.Apply(before) == document.Snapshot!.Text, $"seed {seed} round {round}: the {kind}'s ranges do not give the new text");
            Assert.Equal(document.Snapshot.Masked, CountMasks(document.Snapshot));
            Assert.True(document.Log.TrySince(document.Version - 1, out var logged) && logged.Single().Equals(change));
        }
        Assert.All(new[] { "step", "edit", "regenerate", "cancel" }, k => Assert.True(kinds.GetValueOrDefault(k) > 5, $"too few {k}s"));
    }

    [Fact]
    public void A_step_changes_only_the_placeholders_it_filled_never_the_whole_region()
    {
        var canvas = Canvas("ab", new TextRegion(1, 1, MaxTokens: 4)); // "a" + 4 masks + "b"
        var (_, change) = canvas.ApplyStep(canvas.BuildWindow(64), [new StepCommit(1, CharTokenizer.IdOf('x'), 1f), new StepCommit(4, CharTokenizer.IdOf('y'), 1f)]);

        Assert.Equal(new[] { new ReplacedRange(1, 9, "x"), new ReplacedRange(25, 33, "y") }, change);
        Assert.Equal("ax" + Mask + Mask + "yb", canvas.Render().Text);
    }

    [Fact]
    public void A_person_editing_inside_a_region_while_the_model_steps_keeps_their_edit_and_the_models_other_tokens()
    {
        var document = new SessionDocument("s");
        document.Start(Canvas("ab", new TextRegion(1, 1, MaxTokens: 4)), 1, SessionStatus.Denoising); // "a" + 4 masks + "b"
        document.CommitStep(document.Canvas!.BuildWindow(64), [new StepCommit(1, CharTokenizer.IdOf('x'), 1f), new StepCommit(4, CharTokenizer.IdOf('y'), 1f)]);

        // Sent against version 1: replace the second mask's placeholder with "P".
        var request = new EditRequest(1, [new TextEdit(9, 17, "P")], [], ClientId: "ann");
        var rebased = EditRequestRebaser.Rebase(document.Log, document.Snapshot!.Text.Length, request);
        var (canvas, changes) = EditApplier.Apply(document.Canvas!, rebased, request, document.Version, DecodingResolver.Defaults(new SessionOptions()));
        document.Replace(canvas, SessionStatus.Denoising, null, changes);

        Assert.Equal("axP" + Mask + "yb", document.Snapshot!.Text); // the model's x and y and the third mask stay
        Assert.Equal(1, document.Canvas!.Masked);
    }

    [Fact]
    public void An_edit_inside_a_generating_region_splits_it_and_a_committed_run_it_touches_becomes_text()
    {
        var canvas = Canvas("ab", new TextRegion(1, 1, MaxTokens: 4));
        canvas.ApplyStep(canvas.BuildWindow(64), [new StepCommit(2, CharTokenizer.IdOf('x'), 1f), new StepCommit(3, CharTokenizer.IdOf('y'), 1f)]);
        var text = canvas.Render().Text; // "a<m>xy<m>b"
        Assert.Equal("a" + Mask + "xy" + Mask + "b", text);

        var edited = canvas.WithChange([new ReplacedRange(10, 10, "!")]).Canvas; // between x and y
        var rendered = edited.Render();

        Assert.Equal("a" + Mask + "x!y" + Mask + "b", rendered.Text);
        Assert.Equal(2, rendered.Regions.Count); // each surviving mask is its own region now, the text between is fixed
        Assert.Equal(2, edited.Masked);
    }

    [Fact]
    public void A_range_ending_inside_a_placeholder_removes_that_mask_and_keeps_the_characters_it_left()
    {
        var canvas = Canvas("ab", new TextRegion(1, 1, MaxTokens: 2));
        var edited = canvas.WithChange([new ReplacedRange(0, 4, "Z")]).Canvas; // "a<|m" replaced

        Assert.Equal("Z" + Mask[3..] + Mask + "b", edited.Render().Text);
        Assert.Equal(1, edited.Masked);
    }

    [Fact]
    public void Regenerate_over_a_generating_region_replaces_what_it_covers_with_a_new_region()
    {
        var canvas = Canvas("0123456789", new TextRegion(2, 4, MaxTokens: 2)); // "01<m><m>456789"
        var change = canvas.WithRegenerated([new TextRegion(10, 20, MaxTokens: 3)]); // the second mask and "45"

        Assert.Equal("01" + Mask + Mask + Mask + Mask + "6789", change.Canvas.Render().Text);
        Assert.Equal(4, change.Canvas.Masked);
        Assert.Equal(new[] { new ReplacedRange(10, 20, Mask + Mask + Mask) }, change.Ranges);
    }

    private static TextChange Step(SessionDocument document, Random random)
    {
        var window = document.Canvas!.BuildWindow(random.Next(4, 40));
        var masked = Enumerable.Range(0, window.Tokens.Length).Where(p => window.Tokens[p] == CharTokenizer.Mask).ToArray();
        var commits = masked.Where((_, i) => i == 0 || random.Next(3) == 0)
            .Select(p => new StepCommit(p, random.Next(12) == 0 ? CharTokenizer.Pad : CharTokenizer.IdOf(RandomChar(random)), 1f)).ToList();
        return document.CommitStep(window, commits).Change;
    }

    private static DocumentCanvas RandomCanvas(Random random)
    {
        var text = RandomText(random, random.Next(10, 60));
        return Canvas(text, RandomRegions(random, text).ToArray());
    }

    private static List<TextRegion> RandomRegions(Random random, string text)
    {
        var regions = new List<TextRegion>();
        var position = 0;
        for (var i = random.Next(1, 4); i > 0 && position <= text.Length; i--)
        {
            var start = random.Next(position, Math.Min(text.Length, position + 20) + 1);
            var end = Math.Min(text.Length, start + random.Next(0, 10));
            regions.Add(new TextRegion(start, end, random.Next(1, 5)));
            position = end + 1;
        }
        return regions;
    }

    private static List<ReplacedRange> RandomRanges(Random random, string text)
    {
        var ranges = new List<ReplacedRange>();
        var position = 0;
        for (var i = random.Next(1, 4); i > 0 && position <= text.Length; i--)
        {
            var start = random.Next(position, Math.Min(text.Length, position + 30) + 1);
            var end = Math.Min(text.Length, start + random.Next(0, 12));
            ranges.Add(new ReplacedRange(start, end, RandomText(random, random.Next(0, 4))));
            position = end + 1;
        }
        return ranges;
    }

    private static string RandomText(Random random, int length) => new(Enumerable.Range(0, length).Select(_ => RandomChar(random)).ToArray());

    private static char RandomChar(Random random) => "abc <|>mask\n"[random.Next(12)];

    private static int CountMasks(SessionSnapshot snapshot) => snapshot.Regions.Sum(r => r.Masked);
}
