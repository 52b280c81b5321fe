using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Devices;

/// <summary>
/// Turns a <c>--dtype</c> / <c>Model:Dtype</c> value into the dtype a model computes in: <c>float32</c>,
/// <c>bfloat16</c>, or <c>auto</c> (bfloat16 on a CPU with bfloat16 matrix instructions, float32 everywhere else).
/// <para>Why auto picks bfloat16 only there: on such a CPU (AVX512-BF16 or AMX) libtorch's bfloat16 matmuls do twice
/// the work per instruction — a 530-token forward of the bundled model took 68 ms instead of 118 ms on the dev box.
/// Without those instructions bfloat16 is emulated and slower. On a GPU bfloat16 has not been measured, so auto keeps
/// float32 there, as every GPU number so far was measured.</para>
/// </summary>
public static class ComputeDtypeSelector
{
    public const string Usage = "float32 | bfloat16 | auto";

    // /proc/cpuinfo is read once per process: the CPU does not change, and a silo resolves the setting per device.
    static readonly Lazy<bool> ThisCpuHasBFloat16Matmul = new(() => CpuHasBFloat16Matmul(ReadCpuFlags()));

    /// <param name="setting">The option or setting the value came from, for the error message.</param>
    public static ScalarType Select(string? spec, Device device, string setting = "--dtype") =>
        Resolve(spec, device.type, () => ThisCpuHasBFloat16Matmul.Value, setting);

    /// <summary>
    /// An explicit dtype name: float32 (fp32) or bfloat16 (bf16); null when none is given (null, empty or blank).
    /// Also what model weights may be stored in (<c>export --dtype</c>).
    /// </summary>
    public static ScalarType? ParseName(string? name, string setting = "--dtype") =>
        Normalize(name) is { } key ? Named(key) ?? throw new ArgumentException($"{setting} '{name}': expected float32 or bfloat16") : null;

    /// <summary>The name the options use for a dtype ("float32", "bfloat16"), e.g. for reports.</summary>
    public static string NameOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        _ => dtype.ToString().ToLowerInvariant(),
    };

    /// <summary>Testable core: whether the CPU has bfloat16 matrix instructions is passed in. Nothing given = float32.</summary>
    internal static ScalarType Resolve(string? spec, DeviceType deviceType, Func<bool> cpuHasBFloat16Matmul, string setting = "--dtype") =>
        Normalize(spec) switch
        {
            null => ScalarType.Float32,
            "auto" => deviceType == DeviceType.CPU && cpuHasBFloat16Matmul() ? ScalarType.BFloat16 : ScalarType.Float32,
            var key => Named(key) ?? throw new ArgumentException($"{setting} '{spec}': expected {Usage}"),
        };

    static string? Normalize(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim().ToLowerInvariant();

    static ScalarType? Named(string key) => key switch
    {
        "float32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => null,
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
