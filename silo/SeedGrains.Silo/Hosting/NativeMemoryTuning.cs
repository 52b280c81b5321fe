using System.Runtime.InteropServices;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// Configuration section <c>Memory</c>: how glibc's allocator treats libtorch's memory. Every denoising step allocates
/// and frees activation tensors of a few to tens of MB. glibc raises its mmap threshold after such blocks are freed,
/// so later ones come from the heap arenas and stay in the process when freed: 50 long sessions left the silo at
/// 1.1 GB (and it stayed there). A fixed threshold makes large blocks mmapped again — returned to the system the moment
/// they are freed — and fewer arenas fragment less; the same load then peaks near 0.78 GB and comes back
/// (docs/operations.md, "Memory"). Applied once at start, before the model loads. 0 leaves glibc's default.
/// </summary>
internal static class NativeMemoryTuning
{
    public const string Section = "Memory";

    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD (malloc.h)
    private const int ArenaMaxOption = -8;      // M_ARENA_MAX
    private const int MaxMmapThreshold = 32 * 1024 * 1024; // glibc's upper bound on 64-bit

    public static void Apply(IConfiguration configuration)
    {
        var threshold = Read(configuration, "MallocMmapThresholdBytes", 128 * 1024, MaxMmapThreshold);
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

    private static int Read(IConfiguration configuration, string name, int fallback, int max)
    {
        var key = $"{Section}:{name}";
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= max
            ? value
            : throw new HostConfigurationException($"{key} = '{text}' must be a whole number from 0 to {max} (0 = glibc's default).");
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int option, int value);
}
