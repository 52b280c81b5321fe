using System.Text;

namespace SeedGrains.Diffusion.Tokenization;

/// <summary>
/// GPT-2's byte ⇄ visible-character map used by byte-level BPE vocabularies: every byte is spelled as one
/// printable character (space → 'Ġ', newline → 'Ċ'), so a token string is a sequence of bytes in disguise.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly int[] CharToByteTable = BuildCharToByte(ByteToCharTable);

    /// <summary>The visible character that stands for <paramref name="value"/>.</summary>
    public static char CharOf(byte value) => ByteToCharTable[value];

    /// <summary>The byte a visible character stands for, or -1 when it is not in the alphabet.</summary>
    public static int ByteOf(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    /// <summary>Spell raw bytes as a byte-level token string.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = ByteToCharTable[source[i]];
            }
        });
    }

    /// <summary>Spell text's UTF-8 bytes as a byte-level token string.</summary>
    public static string EncodeText(string text) => Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>The bytes a byte-level token string stands for, or null when a character is outside the alphabet.</summary>
    public static byte[]? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            var value = ByteOf(token[i]);
            if (value < 0)
            {
                return null;
            }
            bytes[i] = (byte)value;
        }
        return bytes;
    }

    /// <summary>All 256 alphabet characters in character order (the order HF's trainer gives the initial alphabet).</summary>
    public static IReadOnlyList<char> CharactersInOrder() => ByteToCharTable.Order().ToArray();

    // bytes_to_unicode() from GPT-2: printable Latin-1 bytes keep their code point, the rest move to 256 + n.
    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private static int[] BuildCharToByte(char[] byteToChar)
    {
        var table = new int[byteToChar.Max() + 1];
        Array.Fill(table, -1);
        for (var b = 0; b < byteToChar.Length; b++)
        {
            table[byteToChar[b]] = b;
        }
        return table;
    }
}
