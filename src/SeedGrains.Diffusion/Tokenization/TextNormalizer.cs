using System.Text;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>The tokenizer's Unicode normalizer: zero or more normalization forms applied in order (HF "NFC", "Sequence", ...).</summary>
internal sealed class TextNormalizer
{
    private readonly NormalizationForm[] forms;

    public TextNormalizer(IEnumerable<NormalizationForm> forms) => this.forms = forms.ToArray();

    public IReadOnlyList<NormalizationForm> Forms => forms;

    public bool IsIdentity => forms.Length == 0;

    public string Normalize(string text)
    {
        foreach (var form in forms)
        {
            text = text.Normalize(form);
        }
        return text;
    }

    public bool IsNormalized(string text)
    {
        // A sequence of forms is a fixed point only if the whole chain leaves the text alone.
        return forms.Length switch
        {
            0 => true,
            1 => text.IsNormalized(forms[0]),
            _ => Normalize(text) == text,
        };
    }
}
