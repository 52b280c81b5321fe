namespace SeedGrains.Silo.Tests;

/// <summary>A <see cref="SiloHost"/> that lets one web origin call the API (`Cors:AllowedOrigins`, comma-separated form).</summary>
public sealed class CorsSiloHost : IAsyncLifetime
{
    public const string AllowedOrigin = "https://editor.example";

    public SiloHost Host { get; } = new([$"--Cors:AllowedOrigins={AllowedOrigin}, https://other.example"]);

    public Task InitializeAsync() => Host.InitializeAsync();

    public Task DisposeAsync() => Host.DisposeAsync();
}
