using System.Runtime.InteropServices;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Configuration section <c>Memory</c>: how glibc's allocator treats libtorch's memory. Every denoising step allocates
/// and frees activation tensors of a few to tens of MB. Left to itself, glibc raises its mmap threshold after such
/// blocks are freed, so later ones come from the heap arenas and stay in the process when freed: 50 long sessions left
/// the silo at 1.1 GB (and it stayed there). Mapping every block above 128 KB instead (the fix of 2026-12-06) returned
/// memory at once but made a step pay page faults on fresh memory for all its activations: a full forward took ~0.65 s
/// instead of ~0.2 s. So now: a fixed 32 MB threshold (blocks below it are reused from the arenas, fast), at most two
/// arenas (less fragmentation), and a trim of the free heap memory every <c>Memory:TrimIntervalSeconds</c>
/// (<see cref="NativeMemoryTrimmer"/>). Applied once at start, before the model loads; 0 leaves glibc's default
/// (docs/operations.md, "Memory").
/// </summary>
internal static class NativeMemoryTuning
{
    public const string Section = "Memory";

    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD (malloc.h)
    private const int ArenaMaxOption = -8;      // M_ARENA_MAX
    private const int MaxMmapThreshold = 32 * 1024 * 1024; // glibc's upper bound on 64-bit

    public static void Apply(IConfiguration configuration)
    {
        var threshold = Read(configuration, "MallocMmapThresholdBytes", MaxMmapThreshold, MaxMmapThreshold);
        var arenas = Read(configuration, "MallocArenaMax", 2, 1024);
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (threshold > 0) _ = MallOpt(MmapThresholdOption, threshold);
            if (arenas > 0) _ = MallOpt(ArenaMaxOption, arenas);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has no such knobs; nothing to tune.
        }
    }

    /// <summary>How often to trim (<c>Memory:TrimIntervalSeconds</c>, default 10); null = never (0, or not glibc).</summary>
    public static TimeSpan? TrimInterval(IConfiguration configuration)
    {
        var seconds = Read(configuration, "TrimIntervalSeconds", 10, 3600, zeroMeans: "no trim");
        return seconds > 0 && OperatingSystem.IsLinux() ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>Returns the allocator's free memory to the system (glibc's malloc_trim); nothing elsewhere.</summary>
    public static void Trim()
    {
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to trim.
        }
    }

    private static int Read(IConfiguration configuration, string name, int fallback, int max, string zeroMeans = "glibc's default")
    {
        var key = $"{Section}:{name}";
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= max
            ? value
            : throw new HostConfigurationException($"{key} = '{text}' must be a whole number from 0 to {max} (0 = {zeroMeans}).");
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int option, int value);
}
