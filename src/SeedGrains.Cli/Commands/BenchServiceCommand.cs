using System.CommandLine;
using System.Diagnostics;
using SeedGrains.Cli.Commands.BenchService;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Diffusion.Runtime;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Workers;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains bench service`: N concurrent 3-line rewrites through the real service (in-process silo, HTTP on
/// loopback, SSE until idle) against the raw batched decoder loop on the same model and the same windows, in one run.
/// Throughput counts generated tokens committed (the mask budgets) on both paths; latency is create → idle, and per
/// step the time of each batched stepper call.
/// </summary>
internal static class BenchServiceCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Diffusion model folder", Required = true };
        var sessions = new Option<int>("--sessions") { Description = "Concurrent sessions (= rows per raw step)", Required = true };
        var device = new Option<string>("--device") { Description = "cpu | cuda | cuda:N | auto", DefaultValueFactory = _ => "cpu" };
        var file = new Option<string?>("--file") { Description = "Rewrite regions of this file (default: ~300-line files of the Python stdlib)" };
        var data = new Option<string?>("--data") { Description = "Directory of *.py files to pick ~300-line files from (default: the Python stdlib)" };
        var rounds = new Option<int>("--rounds") { Description = "Measured rounds (each: raw, then service)", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured rounds first", DefaultValueFactory = _ => 1 };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Service Batching:MaxBatchSize (0 = --sessions, the raw loop's batching)", DefaultValueFactory = _ => 0 };
        var batchWait = new Option<double?>("--max-batch-wait-ms") { Description = "Service Batching:MaxBatchWaitMs (default: the service's)" };
        var cacheRefresh = new Option<int?>("--context-cache-refresh") { Description = "Model:ContextCacheRefreshEvery for both paths (0 = no dual cache; default: the service's)" };
        var commitRule = new Option<string>("--commit-rule") { Description = "Sessions:CommitRule for both paths: confidence | topk | entropy (default: the built-in confidence)" };
        var stepBudget = new Option<int?>("--step-budget") { Description = "Sessions:StepBudget for both paths: steps per region, 0 = none (default: the built-in none)" };
        var seed = CliOptions.Seed();
        var json = CliOptions.Json();
        var dtype = CliOptions.ComputeDtype(new ModelSettings().Dtype);
        var command = new Command("service", "Service throughput and latency vs the raw batched decoder on the same requests.")
        {
            model, sessions, device, file, data, rounds, warmup, maxBatch, batchWait, cacheRefresh, commitRule, stepBudget, seed, json, dtype,
        };
        command.SetAction(async (p, _) =>
        {
            var n = p.GetValue(sessions);
            if (p.GetValue(rounds) < 1) throw new ArgumentException("--rounds must be ≥ 1");
            if (p.GetValue(warmup) < 0) throw new ArgumentException("--warmup must be ≥ 0");
            var batchSize = p.GetValue(maxBatch) is > 0 and var b ? b : n;
            var requests = EditWorkload.Build(n, p.GetValue(seed), p.GetValue(file), p.GetValue(data));
            var batching = new BatchingOptions { MaxBatchSize = batchSize };
            if (p.GetValue(batchWait) is { } wait) batching.MaxBatchWaitMs = wait;
            var modelSettings = new ModelSettings { Dtype = p.GetValue(dtype)! };
            if (p.GetValue(cacheRefresh) is { } refresh)
                modelSettings.ContextCacheRefreshEvery = refresh >= 0 ? refresh : throw new ArgumentException("--context-cache-refresh must be ≥ 0");
            modelSettings.ContextCacheEntries = Math.Max(modelSettings.ContextCacheEntries, n);
            var sessionOptions = new SessionOptions();
            if (p.GetValue(commitRule) is { } rule)
                sessionOptions.CommitRule = CliOptions.ParseCommitRule(rule, "--commit-rule").ToWire();
            if (p.GetValue(stepBudget) is { } budget)
                sessionOptions.StepBudget = budget >= 0 ? budget : throw new ArgumentException("--step-budget must be ≥ 0");
            // Live progress (requests settled on each path, over warm-up and measured rounds) only in a terminal without --json.
            var result = await CliProgress.RunAsync(p.GetValue(json), progress =>
                Measure(p.GetValue(model)!, p.GetValue(device)!, requests, batching, modelSettings, sessionOptions, p.GetValue(rounds), p.GetValue(warmup), p.GetValue(seed), progress));
            CliOptions.Print(result, p.GetValue(json));
            return 0;
        });
        return command;
    }

    static async Task<Dictionary<string, object?>> Measure(string modelDirectory, string deviceSpec, IReadOnlyList<EditCase> requests, BatchingOptions batching, ModelSettings modelSettings, SessionOptions sessionOptions, int rounds, int warmup, int seed,
        CliProgress progress)
    {
        var device = DeviceSelector.Select(deviceSpec);
        var deviceName = device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, device.index)}" : "cpu";
        var clock = Stopwatch.StartNew();
        // Resolved once and handed to the service as it is, so both paths compute in the same dtype.
        var computeDtype = ComputeDtypeSelector.Select(modelSettings.Dtype, device);
        modelSettings.Dtype = ComputeDtypeSelector.NameOf(computeDtype);
        using var bundle = ModelBundle.Load(modelDirectory, device, computeDtype);
        if (bundle.IsAutoregressive) throw new ArgumentException($"--model {modelDirectory} is a causal (AR) model; the service needs a diffusion model");

        // The service's window, budget rule and commit policy, so both paths get the same rows.
        var maxWindow = Math.Min(modelSettings.MaxWindow, bundle.Model.Config.MaxPositions);
        var policy = DecodingResolver.Defaults(sessionOptions).ToPolicy().ToCommitPolicy(); // exactly what the model worker makes of a session's steps
        var windows = requests.Select(r => SessionWindow.For(r, bundle.Tokenizer, bundle.Specials, sessionOptions, maxWindow)).ToList();
        var rawStepper = CheckpointModelRuntime.CreateStepper(bundle, modelSettings);
        using var rawStepperLifetime = rawStepper as IDisposable;
        var raw = new TimedStepper(rawStepper, clock);

        await using var service = await InProcessService.Start(modelDirectory, deviceName, batching, modelSettings, sessionOptions, clock);
        var rawDone = progress.Line("raw requests", (warmup + rounds) * requests.Count);
        var serviceDone = progress.Line("service requests", (warmup + rounds) * requests.Count);
        for (var i = 0; i < warmup; i++)
        {
            RawDecodeLoop.Run(raw, bundle.Tokenizer, windows, policy, seed, sessionOptions, () => rawDone(1));
            await service.Run(requests, windows, () => serviceDone(1));
        }

        var rawRuns = new List<PathRun>();
        var serviceRuns = new List<PathRun>();
        var rawSpans = new List<StepSpan>();
        var serviceSpans = new List<StepSpan>();
        var statsBefore = service.WorkerStats;
        // Process CPU time per phase: more CPU for the same forwards = work the service adds; the same CPU but more
        // wall time = the forward slowed by something else (other processes on a shared machine).
        double rawCpu = 0, serviceCpu = 0;
        // The path that runs first in a round pays for whatever the other left behind (freed memory, a cold thread
        // pool), so the order alternates: raw first in even rounds, the service first in odd ones.
        for (var i = 0; i < rounds; i++)
        {
            if (i % 2 == 0)
            {
                rawCpu += MeasureRaw();
                serviceCpu += await MeasureService();
            }
            else
            {
                serviceCpu += await MeasureService();
                rawCpu += MeasureRaw();
            }
        }

        double MeasureRaw()
        {
            var (from, cpu) = (clock.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime);
            rawRuns.Add(RawDecodeLoop.Run(raw, bundle.Tokenizer, windows, policy, seed, sessionOptions, () => rawDone(1)));
            rawSpans.AddRange(raw.Between(from, clock.Elapsed.TotalSeconds));
            return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        }

        async Task<double> MeasureService()
        {
            var (from, cpu) = (clock.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime);
            serviceRuns.Add(await service.Run(requests, windows, () => serviceDone(1)));
            serviceSpans.AddRange(service.Stepper.Between(from, clock.Elapsed.TotalSeconds));
            return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        }
        var statsAfter = service.WorkerStats;

        double TokensPerSecond(List<PathRun> runs) => runs.Sum(r => r.Tokens) / runs.Sum(r => r.Seconds);
        var serviceRate = TokensPerSecond(serviceRuns);
        var rawRate = TokensPerSecond(rawRuns);
        var serviceLatency = serviceRuns.SelectMany(r => r.Requests).Select(o => o.LatencyMs).ToList();
        var rawLatency = rawRuns.SelectMany(r => r.Requests).Select(o => o.LatencyMs).ToList();
        var serviceSeconds = serviceRuns.Sum(r => r.Seconds);
        var serviceForward = serviceSpans.Sum(s => s.End - s.Start);
        var identical = rawRuns.Zip(serviceRuns).Sum(pair => pair.First.Requests.Zip(pair.Second.Requests).Count(x => x.First.Generated == x.Second.Generated));
        var batches = statsAfter.Batches - statsBefore.Batches;

        return new Dictionary<string, object?>
        {
            ["service_tokens_per_s"] = serviceRate,
            ["raw_tokens_per_s"] = rawRate,
            ["efficiency"] = rawRate == 0 ? 0 : serviceRate / rawRate,
            ["p50_ms"] = Percentiles.NearestRank(serviceLatency, 50),
            ["p99_ms"] = Percentiles.NearestRank(serviceLatency, 99),
            ["raw_p50_ms"] = Percentiles.NearestRank(rawLatency, 50),
            ["raw_p99_ms"] = Percentiles.NearestRank(rawLatency, 99),
            // Per batched step (one stepper call: a forward plus the commit), the unit a weight-streaming bound applies to.
            ["service_step_p50_ms"] = Percentiles.NearestRank(StepMilliseconds(serviceSpans), 50),
            ["service_step_p99_ms"] = Percentiles.NearestRank(StepMilliseconds(serviceSpans), 99),
            ["raw_step_p50_ms"] = Percentiles.NearestRank(StepMilliseconds(rawSpans), 50),
            ["raw_step_p99_ms"] = Percentiles.NearestRank(StepMilliseconds(rawSpans), 99),
            ["sessions"] = requests.Count,
            ["context_cache_refresh_every"] = modelSettings.ContextCacheRefreshEvery,
            ["dtype"] = ComputeDtypeSelector.NameOf(bundle.Model.Dtype),
            ["service_dtype"] = service.Dtype,
            ["commit_rule"] = sessionOptions.CommitRule.ToString(),
            ["step_budget"] = sessionOptions.StepBudget,
            ["rounds"] = rounds,
            ["warmup_rounds"] = warmup,
            ["tokens_per_round"] = windows.Sum(w => w.Budget),
            ["window_tokens_mean"] = windows.Average(w => w.Tokens.Length),
            ["service_seconds"] = serviceSeconds,
            ["raw_seconds"] = rawRuns.Sum(r => r.Seconds),
            ["service_round_seconds"] = serviceRuns.Select(r => r.Seconds).ToArray(),
            ["raw_round_seconds"] = rawRuns.Select(r => r.Seconds).ToArray(),
            ["service_forward_seconds"] = serviceForward,
            ["raw_forward_seconds"] = rawSpans.Sum(s => s.End - s.Start),
            ["service_cpu_seconds"] = serviceCpu,
            ["raw_cpu_seconds"] = rawCpu,
            // Share of the service's wall time the compute thread spent outside the forward (timers, batch wait, grains, HTTP).
            ["service_compute_idle_fraction"] = serviceSeconds == 0 ? 0 : 1 - serviceForward / serviceSeconds,
            ["service_steps"] = serviceSpans.Count,
            ["raw_steps"] = rawSpans.Count,
            ["service_mean_batch"] = batches == 0 ? 0 : (double)(statsAfter.Rows - statsBefore.Rows) / batches,
            ["raw_mean_batch"] = rawSpans.Count == 0 ? 0 : rawSpans.Average(s => s.Rows),
            ["service_batch_sizes"] = Histogram(serviceSpans),
            ["raw_batch_sizes"] = Histogram(rawSpans),
            ["service_max_batch_size"] = batching.MaxBatchSize,
            ["service_max_batch_wait_ms"] = batching.MaxBatchWaitMs,
            ["steps_per_session_mean"] = serviceRuns.SelectMany(r => r.Requests).Average(o => o.Steps),
            ["raw_steps_per_session_mean"] = rawRuns.SelectMany(r => r.Requests).Average(o => o.Steps),
            ["identical_outputs"] = identical,
            ["outputs"] = rounds * requests.Count,
            ["files"] = requests.Select(r => Path.GetFileName(r.Source)).Distinct().Count(),
            ["model"] = bundle.Name,
            ["device"] = deviceName,
            ["threads"] = torch.get_num_threads(),
            ["cpu_cores"] = Environment.ProcessorCount,
        };
    }

    static IEnumerable<double> StepMilliseconds(IEnumerable<StepSpan> spans) => spans.Select(s => (s.End - s.Start) * 1000);

    /// <summary>"rows:count" pairs, largest batch first.</summary>
    static string Histogram(IEnumerable<StepSpan> spans) =>
        string.Join(" ", spans.GroupBy(s => s.Rows).OrderByDescending(g => g.Key).Select(g => $"{g.Key}:{g.Count()}"));
}
