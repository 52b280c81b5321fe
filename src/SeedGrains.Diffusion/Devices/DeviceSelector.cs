using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Devices;

/// <summary>
/// Turns a <c>--device</c> value into a torch device: <c>cpu</c>, <c>cuda</c> / <c>cuda:N</c>, or <c>auto</c>
/// (the first GPU when CUDA is usable, else the CPU). Asking for CUDA where it is not available is an error that
/// says why, instead of libtorch's failure deep inside the first tensor move.
/// </summary>
public static class DeviceSelector
{
    public const string Usage = "cpu | cuda | cuda:N | auto";

    /// <param name="tensorFloat32">On CUDA, run float32 matmuls on TF32 tensor cores (process-wide). Training asks for
    /// it; parity checks, evaluation and benchmarks keep full float32 unless they ask.</param>
    public static Device Select(string? spec, bool tensorFloat32 = false)
    {
        var (type, index) = Resolve(spec, cuda.is_available, cuda.device_count);
        if (type == DeviceType.CPU) return CPU;
        if (tensorFloat32) AllowTensorFloat32();
        return new Device(type, index);
    }

    /// <summary>
    /// float32 matrix products on tensor cores (TF32, PyTorch's <c>set_float32_matmul_precision("high")</c>): several
    /// times faster on Ampere and later, and the weights and optimizer state stay float32.
    /// </summary>
    static void AllowTensorFloat32()
    {
        try
        {
            backends.cuda.matmul.allow_tf32 = true;
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException)
        {
            Console.Error.WriteLine($"warning: TF32 could not be enabled ({e.Message}); float32 matmuls run at full precision");
        }
    }

    /// <summary>Testable core: CUDA availability and device count are passed in; no device is touched.</summary>
    internal static (DeviceType Type, int Index) Resolve(string? spec, Func<bool> cudaAvailable, Func<int> cudaDeviceCount)
    {
        var value = (spec ?? "auto").Trim().ToLowerInvariant();
        if (value == "cpu")
        {
            return (DeviceType.CPU, -1);
        }
        if (value == "auto")
        {
            return cudaAvailable() ? (DeviceType.CUDA, 0) : (DeviceType.CPU, -1);
        }
        if (value == "cuda" || value.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (value.Length > 4 && (!int.TryParse(value.AsSpan(5), out index) || index < 0))
            {
                throw new ArgumentException($"device '{spec}': expected {Usage}", nameof(spec));
            }
            if (!cudaAvailable())
            {
                throw new InvalidOperationException(
                    $"device '{spec}' requested but CUDA is not available in this process " +
                    "(no NVIDIA GPU/driver visible, or this build bundles the CPU libtorch: rebuild with -p:TorchBackend=cuda). Use --device cpu or auto.");
            }
            var count = cudaDeviceCount();
            if (index >= count)
            {
                throw new InvalidOperationException($"device '{spec}' requested but only {count} CUDA device(s) are visible");
            }
            return (DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device '{spec}': expected {Usage}", nameof(spec));
    }
}
