using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Workers;
using SeedGrains.Silo.Hosting;

namespace SeedGrains.Cli.Commands.BenchService;

/// <summary>
/// The real service in this process: <see cref="SeedGrainsHost"/> (Orleans silo on embedded defaults, loopback and no
/// gateway, + Kestrel on a loopback port) loading the model with <see cref="CheckpointModelRuntime"/>, its stepper wrapped in a
/// <see cref="TimedStepper"/>. Requests go through the public HTTP API, as a client would send them.
/// </summary>
internal sealed class InProcessService : IAsyncDisposable
{
    readonly WebApplication app;
    readonly HttpClient client;
    readonly string device;

    InProcessService(WebApplication app, HttpClient client, string device, TimedStepper stepper, string dtype, string key)
    {
        Key = key;
        this.app = app;
        this.client = client;
        this.device = device;
        Stepper = stepper;
        Dtype = dtype;
    }

    public TimedStepper Stepper { get; }

    /// <summary>Where the HTTP API listens (loopback) and the development key it accepts.</summary>
    public Uri Address => client.BaseAddress!;

    public string Key { get; }

    /// <summary>What the service's model computes in, as it loaded it.</summary>
    public string Dtype { get; }

    /// <summary>Counters of the device's compute loop (batches, rows, largest batch).</summary>
    public Abstractions.Workers.WorkerStats WorkerStats => app.Services.GetRequiredService<DeviceExecutors>().Get(device).Stats;

    /// <param name="extraArgs">More host configuration (`--Key=value`), e.g. an operator key for the admin API.</param>
    public static async Task<InProcessService> Start(string modelDirectory, string device, BatchingOptions batching, ModelSettings model, Grains.Sessions.SessionOptions sessions, Stopwatch clock,
        IReadOnlyList<string>? extraArgs = null)
    {
        var key = "bench-" + Guid.NewGuid().ToString("N");
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Orleans:SiloPort={FreePort()}",
            // No Orleans:GatewayPort: requests come over HTTP, so no Orleans client needs a way in.
            $"--Orleans:ClusterId=bench-{Guid.NewGuid():N}",
            $"--DEV_API_KEY={key}",
            $"--Model:Path={modelDirectory}",
            $"--Model:Device={device}",
            $"--Model:ContextCacheRefreshEvery={model.ContextCacheRefreshEvery}",
            $"--Model:ContextCacheEntries={model.ContextCacheEntries}",
            $"--Model:Dtype={model.Dtype}",
            $"--Batching:MaxBatchSize={batching.MaxBatchSize}",
            $"--Batching:MaxBatchWaitMs={batching.MaxBatchWaitMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"--Sessions:CommitRule={sessions.CommitRule}",
            $"--Sessions:CommitThreshold={sessions.CommitThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"--Sessions:StepBudget={sessions.StepBudget}",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs ?? [],
        ];
        TimedStepper? timed = null;
        string? dtype = null;
        var app = SeedGrainsHost.Build(args, services =>
        {
            // stdout carries the benchmark's JSON: the host's logs go to stderr.
            services.AddLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            services.AddSingleton<ModelRuntimeFactory>((settings, dev, provider) =>
            {
                var runtime = CheckpointModelRuntime.Load(settings, dev, provider);
                timed = new TimedStepper(runtime.Stepper, clock);
                dtype = runtime.Dtype;
                return new ModelRuntime(runtime.ModelName, runtime.Device, timed, runtime.Tokenizer);
            });
        });
        await app.StartAsync();
        // The silo loads the model when it starts; the factory ran by now.
        var stepper = timed ?? throw new InvalidOperationException("the silo started without loading the model");
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        var client = new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new InProcessService(app, client, device, stepper, dtype!, key);
    }

    /// <summary>A client of the service's HTTP API sending <paramref name="bearer"/> (the caller disposes it).</summary>
    public HttpClient NewClient(string bearer)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        var other = new HttpClient(handler) { BaseAddress = client.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return other;
    }

    /// <summary>All requests at once, each a session created over HTTP and watched over SSE until it is idle.</summary>
    /// <param name="requestDone">Called as each session settles (for a progress display; from several threads).</param>
    public async Task<PathRun> Run(IReadOnlyList<EditCase> requests, IReadOnlyList<SessionWindow> windows, Action? requestDone = null)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(requests.Select((r, i) => Task.Run(async () =>
        {
            var outcome = await One(r, windows[i].Budget);
            requestDone?.Invoke();
            return outcome;
        })));
        return new PathRun(outcomes, clock.Elapsed.TotalSeconds);
    }

    async Task<RequestOutcome> One(EditCase request, int budget)
    {
        var clock = Stopwatch.StartNew();
        using var created = await client.PostAsJsonAsync("/v1/sessions", new { text = request.Text, regions = new[] { new { start = request.Start, end = request.End } } });
        if (created.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /v1/sessions for {request.Source} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The stream ends when the session settles (its first event is the snapshot, later ones deltas); then read the final state.
        using var events = await client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        if (!events.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET /v1/sessions/{id}/events answered {(int)events.StatusCode}");
        string? first = null, last = null;
        using (var reader = new StreamReader(await events.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                last = line[6..];
                first ??= last;
            }
        }
        var latency = clock.Elapsed.TotalMilliseconds;
        if (last is null) throw new InvalidOperationException($"session {id} ({request.Source}) sent no events");
        last = await client.GetStringAsync($"/v1/sessions/{id}");

        // Tokens are counted from our copy of the budget rule; the service's own count must agree.
        using (var opening = JsonDocument.Parse(first!))
        {
            if (opening.RootElement.GetProperty("version").GetInt64() == 1 && opening.RootElement.GetProperty("masked").GetInt32() != budget)
                throw new InvalidOperationException($"session {id} ({request.Source}) has {opening.RootElement.GetProperty("masked").GetInt32()} masks; the benchmark expected {budget}");
        }
        using var final = JsonDocument.Parse(last);
        var status = final.RootElement.GetProperty("status").GetString();
        var text = final.RootElement.GetProperty("text").GetString()!;
        var version = final.RootElement.GetProperty("version").GetInt64();
        if (status != "idle")
            throw new InvalidOperationException($"session {id} ({request.Source}) ended {status}: {final.RootElement.GetProperty("error")}");
        if (!text.StartsWith(request.Prefix, StringComparison.Ordinal) || !text.EndsWith(request.Suffix, StringComparison.Ordinal)
            || text.Length < request.Prefix.Length + request.Suffix.Length)
            throw new InvalidOperationException($"session {id} ({request.Source}) changed text outside its region");
        // Version 1 = created; every step that commits adds one (nothing else touches this session).
        return new RequestOutcome(latency, budget, (int)(version - 1), text[request.Prefix.Length..^request.Suffix.Length]);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
