using System.CommandLine;
using System.Diagnostics;
using SeedGrains.Cli.Commands.BenchCollab;
using SeedGrains.Cli.Commands.BenchService;
using SeedGrains.Diffusion.Devices;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Workers;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains bench collab`: N people edit one session while the model denoises a region of it — each a client with
/// its own change stream and local copy (<see cref="Abstractions.Collaboration.ClientDocument"/>), typing random
/// inserts, deletes and replacements against stale versions. Measures the edits' acknowledgement latency, the conflict
/// rate (and audits that each conflict was a true overlap), and the size of `change` events on the wire. Against the
/// real service in this process (the model of --model), or a running one (--server, --key).
/// </summary>
internal static class BenchCollabCommand
{
    public static Command Create()
    {
        var clients = new Option<int>("--clients") { Description = "Simulated people editing the session at once", Required = true };
        var edits = new Option<int>("--edits") { Description = "Edits each client types", DefaultValueFactory = _ => 40 };
        var interval = new Option<double>("--interval-ms") { Description = "Mean pause between one client's edits (uniform 0–2×)", DefaultValueFactory = _ => 100 };
        var seconds = new Option<double>("--seconds") { Description = "Stop typing after this long even if edits remain (0 = no limit)", DefaultValueFactory = _ => 0 };
        var docKb = new Option<int>("--doc-kb") { Description = "Size of the shared document (whole lines of the source file, repeated)", DefaultValueFactory = _ => 8 };
        var regionTokens = new Option<int>("--region-tokens") { Description = "Masks of the model's region (re-masked in the middle line whenever the model is done)", DefaultValueFactory = _ => 64 };
        var file = new Option<string?>("--file") { Description = "Source of the document's lines (default: a ~300-line file of the Python stdlib)" };
        var data = new Option<string?>("--data") { Description = "Directory of *.py files to pick the source from (default: the Python stdlib)" };
        var model = new Option<string?>("--model") { Description = "Diffusion model folder for the service in this process (not with --server)" };
        var device = new Option<string>("--device") { Description = "cpu | cuda | cuda:N | auto (in-process service)", DefaultValueFactory = _ => "cpu" };
        var server = new Option<string?>("--server") { Description = "Base URL of a running service instead (with --key)" };
        var key = new Option<string?>("--key") { Description = "API key for --server" };
        var seed = CliOptions.Seed();
        var json = CliOptions.Json();
        var command = new Command("collab", "Collaborative editing: edit acknowledgement latency, conflict rate and event size with N clients while the model denoises.")
        {
            clients, edits, interval, seconds, docKb, regionTokens, file, data, model, device, server, key, seed, json,
        };
        command.SetAction(async (p, _) =>
        {
            if (p.GetValue(clients) < 1) throw new ArgumentException("--clients must be ≥ 1");
            if (p.GetValue(edits) < 1) throw new ArgumentException("--edits must be ≥ 1");
            if (p.GetValue(interval) < 0 || p.GetValue(seconds) < 0) throw new ArgumentException("--interval-ms and --seconds must be ≥ 0");
            if (p.GetValue(regionTokens) < 1) throw new ArgumentException("--region-tokens must be ≥ 1");
            var (url, apiKey, modelDirectory) = (p.GetValue(server), p.GetValue(key), p.GetValue(model));
            if (url is null == modelDirectory is null) throw new ArgumentException("pass either --model DIR (a service in this process) or --server URL --key KEY");
            if (url is not null && string.IsNullOrEmpty(apiKey)) throw new ArgumentException("--server needs --key");
            var source = EditWorkload.Build(1, p.GetValue(seed), p.GetValue(file), p.GetValue(data))[0].Source;
            var settings = new CollabSettings(p.GetValue(clients), p.GetValue(edits), TimeSpan.FromMilliseconds(p.GetValue(interval)), p.GetValue(seconds),
                CollabDocument.Build(source, p.GetValue(docKb)), p.GetValue(regionTokens), p.GetValue(seed));
            var target = new Dictionary<string, object?> { ["source"] = Path.GetFileName(source) };
            CollabResult result;
            if (url is not null)
            {
                target["server"] = url;
                using var api = new CollabApi(new Uri(url), apiKey!);
                result = await new CollabRun(api, settings).Execute();
            }
            else
            {
                var deviceSpec = DeviceSelector.Select(p.GetValue(device)!);
                var deviceName = deviceSpec.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, deviceSpec.index)}" : "cpu";
                var clock = Stopwatch.StartNew();
                await using var service = await InProcessService.Start(modelDirectory!, deviceName, new BatchingOptions(), new ModelSettings(), new SessionOptions(), clock);
                target["server"] = "in-process";
                target["model"] = Path.GetFileName(Path.GetFullPath(modelDirectory!).TrimEnd(Path.DirectorySeparatorChar));
                target["device"] = deviceName;
                target["dtype"] = service.Dtype;
                target["threads"] = torch.get_num_threads();
                using var api = new CollabApi(service.Address, service.Key);
                var from = clock.Elapsed.TotalSeconds;
                result = await new CollabRun(api, settings).Execute();
                // Forwards the model ran, against the steps that committed: a step whose document a person changed
                // meanwhile is computed for positions that moved, so the session discards it.
                target["model_forwards"] = service.Stepper.Between(from, clock.Elapsed.TotalSeconds).Count;
            }
            target["cpu_cores"] = Environment.ProcessorCount;
            var output = result.ToJson(target);
            if (p.GetValue(json)) CliOptions.Print(output, json: true);
            else CollabResult.PrintTable(output, Console.Out);
            return 0;
        });
        return command;
    }
}
