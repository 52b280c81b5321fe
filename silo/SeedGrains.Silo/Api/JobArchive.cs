using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace SeedGrains.Silo.Api;

/// <summary>
/// The files of a <c>.tar.gz</c> or <c>.zip</c> upload: regular files only, read as strict UTF-8 (a file that is not
/// UTF-8 text is skipped, and counts as uploaded but not matched). Limits (docs/api.md): <see cref="MaxArchiveBytes"/>
/// compressed, <see cref="MaxExpandedBytes"/> expanded, and the tenant's files per job and text size, checked later.
/// </summary>
internal static class JobArchive
{
    public const long MaxArchiveBytes = 32L * 1024 * 1024;
    public const long MaxExpandedBytes = 128L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsArchive(string? contentType) => Kind(contentType) is not null;

    /// <summary>(path, text or null when not UTF-8) of each regular file, in archive order.</summary>
    public static async Task<List<(string Path, string? Text)>> Read(HttpRequest request)
    {
        var buffer = new MemoryStream();
        await CopyLimited(request.Body, buffer, MaxArchiveBytes, "The archive", request.HttpContext.RequestAborted);
        buffer.Position = 0;
        var files = new List<(string, string?)>();
        var expanded = 0L;
        try
        {
            if (Kind(request.ContentType) == "zip")
            {
                using var zip = new ZipArchive(buffer, ZipArchiveMode.Read);
                foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
                {
                    using var stream = entry.Open();
                    files.Add((entry.FullName, Text(stream, ref expanded)));
                }
            }
            else
            {
                await using var gzip = new GZipStream(buffer, CompressionMode.Decompress);
                await using var tar = new TarReader(gzip);
                while (await tar.GetNextEntryAsync() is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                    var text = Text(entry.DataStream, ref expanded);
                    files.Add((entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name, text));
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw BodyRules.Invalid($"The archive could not be read: {ex.Message}");
        }
        return files;
    }

    private static string? Kind(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "application/gzip" or "application/x-gzip" or "application/x-tar+gzip" or "application/x-compressed-tar" => "tar.gz",
        "application/zip" or "application/x-zip-compressed" => "zip",
        _ => null,
    };

    private static string? Text(Stream stream, ref long expanded)
    {
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        expanded += bytes.Length;
        if (expanded > MaxExpandedBytes)
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Archive too large", $"The archive expands to more than {MaxExpandedBytes / (1024 * 1024)} MiB.");
        try
        {
            return StrictUtf8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static async Task CopyLimited(Stream from, Stream to, long limit, string what, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
                throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Archive too large", $"{what} is larger than {limit / (1024 * 1024)} MiB.");
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
