using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.FileSystemGlobbing;

namespace SeedGrains.Cli.Commands;

/// <summary>The files under a folder that match a glob, packed as a .tar.gz with paths relative to the folder ('/'-separated, as a patch names them).</summary>
internal static class RefactorFiles
{
    public static List<string> Find(string root, string glob)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(glob);
        return [.. matcher.GetResultsInFullPath(root).Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    public static async Task<byte[]> Archive(string root, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var path in paths)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(root, path), cancellationToken);
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(bytes) }, cancellationToken);
            }
        }
        return buffer.ToArray();
    }
}
