using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SeedGrains.Cli.Commands.BenchService;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Workers;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains bench fairness`: tenants with different weights flood one model worker of the real service (in-process
/// silo, HTTP on loopback, the real model) for a fixed time; reports each tenant's share of the tokens the model
/// committed in the measured window, counted per row inside the stepper (a row's cache key names its tenant).
/// </summary>
internal static class BenchFairnessCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Diffusion model folder", Required = true };
        var device = new Option<string>("--device") { Description = "cpu | cuda | cuda:N | auto", DefaultValueFactory = _ => "cpu" };
        var weights = new Option<string>("--weights") { Description = "Comma-separated tenant weights, one tenant each", DefaultValueFactory = _ => "2,1" };
        var sessions = new Option<int>("--sessions") { Description = "Concurrent sessions per tenant (each creates its next rewrite when one is done)", DefaultValueFactory = _ => 4 };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Service Batching:MaxBatchSize (below the sessions per tenant, so the worker is the bottleneck)", DefaultValueFactory = _ => 2 };
        var seconds = new Option<double>("--seconds") { Description = "Measured time", DefaultValueFactory = _ => 60 };
        var minRows = new Option<int>("--min-rows") { Description = "Measure at least until the worker has stepped this many rows (0 = --seconds only): a loaded machine may step none in a short window", DefaultValueFactory = _ => 0 };
        var warmup = new Option<double>("--warmup-seconds") { Description = "Unmeasured time first (backlogs fill)", DefaultValueFactory = _ => 10 };
        var file = new Option<string?>("--file") { Description = "Rewrite regions of this file (default: ~300-line files of the Python stdlib)" };
        var data = new Option<string?>("--data") { Description = "Directory of *.py files to pick ~300-line files from (default: the Python stdlib)" };
        var seed = CliOptions.Seed();
        var json = CliOptions.Json();
        var command = new Command("fairness", "Weighted fair share: tenants of different weights flooding the real model's worker.")
        {
            model, device, weights, sessions, maxBatch, seconds, minRows, warmup, file, data, seed, json,
        };
        command.SetAction(async (p, _) =>
        {
            var parsed = p.GetValue(weights)!.Split(',').Select(w => int.Parse(w.Trim(), CultureInfo.InvariantCulture)).ToArray();
            if (parsed.Length < 2 || parsed.Any(w => w < 1)) throw new ArgumentException("--weights needs at least two weights, each ≥ 1 (e.g. 2,1)");
            var perTenant = p.GetValue(sessions);
            if (perTenant < 1) throw new ArgumentException("--sessions must be ≥ 1");
            if (p.GetValue(seconds) <= 0 || p.GetValue(warmup) < 0) throw new ArgumentException("--seconds must be > 0 and --warmup-seconds ≥ 0");
            var requests = EditWorkload.Build(perTenant * parsed.Length, p.GetValue(seed), p.GetValue(file), p.GetValue(data));
            var batching = new BatchingOptions { MaxBatchSize = p.GetValue(maxBatch) };
            // Live progress (seconds of warm-up and measured time, tokens committed) only in a terminal without --json.
            var result = await CliProgress.RunAsync(p.GetValue(json), progress =>
                Measure(p.GetValue(model)!, p.GetValue(device)!, parsed, perTenant, requests, batching,
                    TimeSpan.FromSeconds(p.GetValue(warmup)), TimeSpan.FromSeconds(p.GetValue(seconds)), p.GetValue(minRows), progress));
            CliOptions.Print(result, p.GetValue(json));
            return 0;
        });
        return command;
    }

    static async Task<Dictionary<string, object?>> Measure(string modelDirectory, string deviceSpec, int[] weights, int perTenant,
        IReadOnlyList<EditCase> requests, BatchingOptions batching, TimeSpan warmup, TimeSpan measured, int minRows, CliProgress progress)
    {
        var device = DeviceSelector.Select(deviceSpec);
        var deviceName = device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, device.index)}" : "cpu";
        var clock = Stopwatch.StartNew();
        var operatorKey = "bench-operator-" + Guid.NewGuid().ToString("N");
        var modelSettings = new ModelSettings();
        modelSettings.ContextCacheEntries = Math.Max(modelSettings.ContextCacheEntries, perTenant * weights.Length);
        await using var service = await InProcessService.Start(modelDirectory, deviceName, batching, modelSettings, new SessionOptions(), clock,
            [$"--Admin:OperatorKeys:0={operatorKey}"]);

        // One tenant per weight, each with its own key; quotas let every one of its sessions denoise at once.
        var tenants = weights.Select((w, i) => $"tenant-{i + 1}-w{w}").ToArray();
        var clients = new List<HttpClient>();
        using var op = service.NewClient(operatorKey);
        for (var i = 0; i < tenants.Length; i++)
        {
            using var created = await op.PostAsJsonAsync("/admin/v1/tenants",
                new { id = tenants[i], quotas = new { weight = weights[i], maxConcurrentSessions = perTenant, maxStoredSessions = 1_000_000 } });
            await Ensure(created, HttpStatusCode.Created);
            using var key = await op.PostAsJsonAsync($"/admin/v1/tenants/{tenants[i]}/keys", new { name = "bench" });
            await Ensure(key, HttpStatusCode.Created);
            clients.Add(service.NewClient((await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!));
        }

        using var stop = new CancellationTokenSource();
        var floods = Enumerable.Range(0, tenants.Length)
            .SelectMany(t => Enumerable.Range(0, perTenant).Select(j => Task.Run(() => Flood(clients[t], requests[t * perTenant + j], stop.Token))))
            .ToList();
        var warmupLine = warmup > TimeSpan.Zero ? progress.Bar("warm-up s", warmup.TotalSeconds) : null;
        var measuredLine = progress.Bar("measured s", measured.TotalSeconds);
        await Elapse(warmup, warmupLine, _ => { });
        var from = clock.Elapsed.TotalSeconds;
        await Elapse(measured, measuredLine, elapsed =>
        {
            if (!progress.Shown) return; // nobody to tell: spare the span copy
            var committed = service.Stepper.Between(from, double.PositiveInfinity).Sum(s => s.ByTenant.Values.Sum(t => (long)t.Tokens));
            measuredLine.Describe($"measured s · {committed:N0} tokens · {committed / Math.Max(elapsed, 1e-9):N0} tok/s");
        });
        // Then on, if asked, until enough rows were stepped (or every flood has ended, e.g. on an error).
        while (service.Stepper.Between(from, double.PositiveInfinity).Sum(s => s.Rows) < minRows && !floods.All(f => f.IsCompleted))
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        var to = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(floods);
        foreach (var client in clients) client.Dispose();

        var spans = service.Stepper.Between(from, to);
        var rows = tenants.Select(t => (long)spans.Sum(s => s.ByTenant.GetValueOrDefault(t).Rows)).ToArray();
        var tokens = tenants.Select(t => (long)spans.Sum(s => s.ByTenant.GetValueOrDefault(t).Tokens)).ToArray();
        var total = tokens.Sum();
        var seconds = to - from;
        return new Dictionary<string, object?>
        {
            ["weights"] = weights,
            ["tenants"] = tenants,
            ["tokens"] = tokens,
            ["tokens_per_s"] = tokens.Select(t => t / seconds).ToArray(),
            ["share"] = tokens.Select(t => total == 0 ? 0 : (double)t / total).ToArray(),
            ["expected_share"] = weights.Select(w => (double)w / weights.Sum()).ToArray(),
            // First tenant's tokens over the second's, against the ratio of their weights.
            ["ratio"] = tokens[1] == 0 ? 0 : (double)tokens[0] / tokens[1],
            ["expected_ratio"] = (double)weights[0] / weights[1],
            // Batch slots are what the weights divide; tokens follow them as far as tokens per step are alike.
            ["rows"] = rows,
            ["rows_ratio"] = rows[1] == 0 ? 0 : (double)rows[0] / rows[1],
            ["batches"] = spans.Count,
            ["mean_batch"] = spans.Count == 0 ? 0 : spans.Average(s => s.Rows),
            // Batches with rows of every tenant: shares are decided only where tenants compete.
            ["batches_with_every_tenant"] = spans.Count(s => tenants.All(s.ByTenant.ContainsKey)),
            ["measured_seconds"] = seconds,
            ["warmup_seconds"] = warmup.TotalSeconds,
            ["sessions_per_tenant"] = perTenant,
            ["max_batch_size"] = batching.MaxBatchSize,
            ["model"] = Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd(Path.DirectorySeparatorChar)),
            ["device"] = deviceName,
            ["threads"] = torch.get_num_threads(),
            ["cpu_cores"] = Environment.ProcessorCount,
        };
    }

    /// <summary>
    /// Waits <paramref name="span"/>, moving <paramref name="line"/> to the seconds elapsed twice a second and calling
    /// <paramref name="tick"/> with them (the caller measures the window on its own clock, so the ticks change nothing).
    /// </summary>
    static async Task Elapse(TimeSpan span, CliProgressLine? line, Action<double> tick)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < span)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, Math.Max(1, (span - clock.Elapsed).TotalMilliseconds))));
            var elapsed = Math.Min(clock.Elapsed.TotalSeconds, span.TotalSeconds);
            line?.MoveTo(elapsed);
            tick(elapsed);
        }
    }

    /// <summary>One client of a tenant: a rewrite session, watched over SSE until it settles, then the next, until stopped.</summary>
    static async Task Flood(HttpClient client, EditCase request, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var created = await client.PostAsJsonAsync("/v1/sessions",
                    new { text = request.Text, regions = new[] { new { start = request.Start, end = request.End } } }, stop);
                await Ensure(created, HttpStatusCode.Created);
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>(stop)).GetProperty("id").GetString()!;
                using var events = await client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, stop);
                await Ensure(events, HttpStatusCode.OK);
                using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(stop));
                while (await reader.ReadLineAsync(stop) is not null)
                {
                    // The stream ends when the session settles.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Measured time is over.
        }
    }

    static async Task Ensure(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
