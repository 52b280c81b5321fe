using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Devices;

/// <summary>
/// Turns a <c>--dtype</c> value into the dtype a model computes in: <c>float32</c>, <c>bfloat16</c>, or <c>auto</c>
/// (bfloat16 on a CPU with bfloat16 matrix instructions, float32 everywhere else).
/// <para>Why auto picks bfloat16 only there: on such a CPU (AVX512-BF16 or AMX) libtorch's bfloat16 matmuls do twice
/// the work per instruction — a 530-token forward of the bundled model took 68 ms instead of 118 ms on the dev box, and
/// `bench decode` ran both decoders ~1.3× faster with the same exact match. Without those instructions bfloat16 is
/// emulated and slower. On a GPU the bundled model is too small to be bound by arithmetic, and its measured numbers are
/// float32's.</para>
/// </summary>
public static class ComputeDtypeSelector
{
    public const string Usage = "float32 | bfloat16 | auto";

    public static ScalarType Select(string? spec, Device device) =>
        Resolve(spec, device.type, () => CpuHasBFloat16Matmul(ReadCpuFlags()));

    /// <summary>Testable core: whether the CPU has bfloat16 matrix instructions is passed in.</summary>
    internal static ScalarType Resolve(string? spec, DeviceType deviceType, Func<bool> cpuHasBFloat16Matmul) =>
        (spec ?? "float32").Trim().ToLowerInvariant() switch
        {
            "float32" or "fp32" => ScalarType.Float32,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            "auto" => deviceType == DeviceType.CPU && cpuHasBFloat16Matmul() ? ScalarType.BFloat16 : ScalarType.Float32,
            _ => throw new ArgumentException($"dtype '{spec}': expected {Usage}", nameof(spec)),
        };

    /// <summary>True when /proc/cpuinfo's flags list AVX512-BF16 or AMX-BF16.</summary>
    internal static bool CpuHasBFloat16Matmul(string? cpuFlags) =>
        cpuFlags is not null && cpuFlags.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Any(flag => flag is "avx512_bf16" or "amx_bf16");

    /// <summary>The first "flags" line of /proc/cpuinfo, or null where there is none (not Linux).</summary>
    static string? ReadCpuFlags()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo)) return null;
        return File.ReadLines(cpuInfo).FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal));
    }
}
