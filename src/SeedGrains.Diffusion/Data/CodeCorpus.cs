using System.Security.Cryptography;
using System.Text;

namespace SeedGrains.Diffusion.Data;

/// <summary>
/// Source files under one or more directories, streamed as documents: a deterministic order (directories in the
/// given order, files by ordinal relative path), exact duplicates dropped by content hash (first one wins),
/// train/validation decided by the content hash (so a file stays on its side whatever else is added), strict
/// UTF-8. Nothing is held beyond the current document and the set of hashes seen.
/// </summary>
public sealed class CodeCorpus
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CodeCorpusOptions options;
    private readonly IReadOnlyList<(string Root, string Path, string RelativePath)> files;

    public CodeCorpus(CodeCorpusOptions options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Directories.Count == 0) throw new CorpusException("No corpus directory given.");
        if (options.ValidationFraction is < 0 or > 1 || double.IsNaN(options.ValidationFraction))
        {
            throw new CorpusException($"ValidationFraction must be within [0, 1] (got {options.ValidationFraction}).");
        }
        if (options.MaxBytes is <= 0) throw new CorpusException($"MaxBytes must be positive (got {options.MaxBytes}).");
        files = ListFiles(options);
        if (files.Count == 0)
        {
            throw new CorpusException($"Empty corpus: no files matching {string.Join(", ", options.Patterns)} under {string.Join(", ", options.Directories)}.");
        }
    }

    /// <summary>The matching files in reading order (full paths).</summary>
    public IReadOnlyList<string> Files => files.Select(f => f.Path).ToArray();

    /// <summary>Counts from the most recent pass that ran to its end (null before any).</summary>
    public CorpusStatistics? Statistics { get; private set; }

    /// <summary>Stream the documents, optionally only one side of the split; <see cref="Statistics"/> is set when the pass ends.</summary>
    public IEnumerable<CodeDocument> Documents(CorpusSplit? only = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        int filesRead = 0, duplicates = 0, train = 0, validation = 0;
        long bytes = 0, trainBytes = 0, validationBytes = 0;
        foreach (var (root, path, relative) in files)
        {
            if (options.MaxBytes is { } max && bytes >= max) break;
            var content = ReadBytes(path);
            filesRead++;
            var hash = Convert.ToHexStringLower(SHA256.HashData(content));
            if (!seen.Add(hash))
            {
                duplicates++;
                continue;
            }
            string text;
            try
            {
                text = StrictUtf8.GetString(content);
            }
            catch (DecoderFallbackException e)
            {
                if (!options.SkipInvalid)
                {
                    throw new CorpusException($"{path} is not valid UTF-8 (byte offset {e.Index}); fix it, exclude it, or skip invalid files.", e);
                }
                skipped.Add(path);
                continue;
            }
            if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
            var split = SplitOf(hash);
            bytes += content.Length;
            if (split == CorpusSplit.Train) { train++; trainBytes += content.Length; }
            else { validation++; validationBytes += content.Length; }
            if (only is null || only == split)
            {
                yield return new CodeDocument(path, relative, text, hash, split);
            }
        }
        if (train + validation == 0)
        {
            throw new CorpusException($"Empty corpus: all {filesRead} files under {string.Join(", ", options.Directories)} were duplicates or skipped.");
        }
        Statistics = new CorpusStatistics
        {
            FilesFound = files.Count,
            FilesRead = filesRead,
            Bytes = bytes,
            Duplicates = duplicates,
            SkippedInvalid = skipped.Count,
            SkippedFiles = skipped,
            TrainDocuments = train,
            ValidationDocuments = validation,
            TrainBytes = trainBytes,
            ValidationBytes = validationBytes,
        };
    }

    /// <summary>The split a content hash falls in: its first 8 bytes as a number in [0, 1) against the validation fraction.</summary>
    public CorpusSplit SplitOf(string contentHash)
    {
        var position = Convert.ToUInt64(contentHash[..16], 16) / (double)ulong.MaxValue;
        return position < options.ValidationFraction ? CorpusSplit.Validation : CorpusSplit.Train;
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CorpusException($"Cannot read corpus file {path}: {e.Message}", e);
        }
    }

    private static List<(string Root, string Path, string RelativePath)> ListFiles(CodeCorpusOptions options)
    {
        var enumeration = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MatchCasing = MatchCasing.CaseSensitive,
            IgnoreInaccessible = false,
            AttributesToSkip = 0,
        };
        var excludedNames = options.ExcludedDirectoryNames.ToHashSet(StringComparer.Ordinal);
        var excludedPaths = options.ExcludedRelativePaths.Select(p => p.Trim('/') + "/").ToArray();
        var result = new List<(string, string, string)>();
        foreach (var directory in options.Directories)
        {
            if (!Directory.Exists(directory)) throw new CorpusException($"Corpus directory {directory} does not exist.");
            var root = Path.GetFullPath(directory);
            var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
            try
            {
                foreach (var pattern in options.Patterns)
                {
                    foreach (var path in Directory.EnumerateFiles(root, pattern, enumeration))
                    {
                        var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
                        var folders = relative.Split('/')[..^1];
                        if (folders.Any(excludedNames.Contains)) continue;
                        if (excludedPaths.Any(p => relative.StartsWith(p, StringComparison.Ordinal))) continue;
                        found[relative] = path;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CorpusException($"Cannot list corpus directory {directory}: {e.Message}", e);
            }
            result.AddRange(found.Select(kv => (root, kv.Value, kv.Key)));
        }
        return result;
    }
}
