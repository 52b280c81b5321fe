namespace SeedGrains.Silo.Tests;

/// <summary>A <see cref="SiloHost"/> with two operator keys (one given as its SHA-256) and no loopback shortcut to the dashboard.</summary>
public sealed class AdminSiloHost : IAsyncLifetime
{
    public const string OperatorKey = "op-key-0123456789abcdef";
    public const string RotatedOperatorKey = "op-key-rotated-fedcba9876543210";

    public SiloHost Host { get; } = new([
        $"--Admin:OperatorKeys:0={OperatorKey}",
        $"--Admin:OperatorKeys:1=sha256:{SeedGrains.Abstractions.Tenants.ApiKeyHash.Of(RotatedOperatorKey)}",
        "--Dashboard:AllowLoopback=false",
        "--Tenants:DefaultQuotas:MaxConcurrentSessions=7",
    ]);

    public Task InitializeAsync() => Host.InitializeAsync();

    public Task DisposeAsync() => Host.DisposeAsync();
}
