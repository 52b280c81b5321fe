using static TorchSharp.torch;

namespace SeedGrains.Diffusion.Model;

/// <summary>
/// Where a model's parameters are created and in which dtype (null = libtorch's defaults: CPU, float32). Passed down
/// to every layer so a large model is allocated — and its random initialisation computed — on the device it will run
/// on: a 7B shape built on the CPU in float32 first would need 30 GB and minutes of single-threaded random numbers.
/// </summary>
internal readonly record struct ParameterPlacement(Device? Device, ScalarType? Dtype);
