using System.IO.MemoryMappedFiles;

namespace SeedGrains.Diffusion.Training;

/// <summary>
/// A tokenized corpus on disk (documents joined by the end token), read through a memory map — the corpus is
/// streamed from disk, never held as one tensor. Like nanoGPT's train.bin: uint16 tokens when the vocabulary
/// fits, else int32, after a 16-byte header ("SGTK", version, bytes per token, token count).
/// </summary>
public sealed class TokenFile : IDisposable
{
    static readonly byte[] Magic = "SGTK"u8.ToArray();
    const int HeaderBytes = 16;
    readonly MemoryMappedFile map;
    readonly MemoryMappedViewAccessor view;
    readonly int bytesPerToken;

    public long Count { get; }

    TokenFile(string path)
    {
        using (var header = File.OpenRead(path))
        {
            var buf = new byte[HeaderBytes];
            if (header.Read(buf) != HeaderBytes || !buf.AsSpan(0, 4).SequenceEqual(Magic))
                throw new InvalidDataException($"{path}: not a SeedGrains token file");
            bytesPerToken = BitConverter.ToInt32(buf, 8);
            Count = BitConverter.ToUInt32(buf, 12);
        }
        map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }


    public static TokenFile Open(string path) => new(path);

    /// <summary>Writes documents, each followed by <paramref name="endToken"/>; returns the token count.</summary>
    public static long Write(string path, IEnumerable<int[]> documents, int endToken, int vocabSize)
    {
        int bytesPerToken = vocabSize <= ushort.MaxValue + 1 ? 2 : 4;
        long count = 0;
        var tmp = path + ".partial";
        using (var stream = new BufferedStream(File.Create(tmp), 1 << 20))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(1);
            writer.Write(bytesPerToken);
            writer.Write(0u); // count, patched below
            foreach (var doc in documents)
            {
                foreach (var t in doc) WriteToken(writer, t, bytesPerToken);
                WriteToken(writer, endToken, bytesPerToken);
                count += doc.Length + 1;
            }
            if (count > uint.MaxValue) throw new InvalidDataException("token file too large");
            writer.Flush();
            stream.Seek(12, SeekOrigin.Begin);
            writer.Write((uint)count);
        }
        File.Move(tmp, path, overwrite: true);
        return count;
    }

    static void WriteToken(BinaryWriter w, int token, int bytes)
    {
        if (bytes == 2) w.Write((ushort)token); else w.Write(token);
    }

    /// <summary>Copies tokens [offset, offset + destination.Length) into destination.</summary>
    public void Read(long offset, Span<int> destination)
    {
        if (offset < 0 || offset + destination.Length > Count) throw new ArgumentOutOfRangeException(nameof(offset));
        long pos = HeaderBytes + offset * bytesPerToken;
        for (int i = 0; i < destination.Length; i++, pos += bytesPerToken)
            destination[i] = bytesPerToken == 2 ? view.ReadUInt16(pos) : view.ReadInt32(pos);
    }

    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
