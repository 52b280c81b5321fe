using SeedGrains.Diffusion.Decoding;

namespace SeedGrains.Diffusion.Tests.Decoding;

public sealed class RegionEndTests
{
    static readonly SpecialTokenIds S = TinyModels.Specials; // mask 1, pad 2, end 0

    [Fact]
    public void MasksAfterTheFirstPadOrEndBecomePadsAndNothingElseChanges()
    {
        int[] region = [7, 1, 2, 1, 9, 1, 0, 1];
        var filled = RegionEnd.FillAfterFirstEnd(region, S);
        Assert.Equal([3, 5, 7], filled);
        Assert.Equal([7, 1, 2, 2, 9, 2, 0, 2], region); // the mask before the pad stays; committed tokens after it stay
    }

    [Fact]
    public void ARegionWithoutPadOrEndIsLeftAlone()
    {
        int[] region = [7, 1, 8, 1];
        Assert.Empty(RegionEnd.FillAfterFirstEnd(region, S));
        Assert.Equal([7, 1, 8, 1], region);
    }
}
