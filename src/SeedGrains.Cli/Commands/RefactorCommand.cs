using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains refactor`: uploads the files under <c>--root</c> matching <c>--glob</c> as a refactor job (<c>--select</c>
/// says what to regenerate in each), follows its progress — a live bar with files done, tokens/s and ETA in a terminal,
/// nothing when redirected or with <c>--json</c> — re-attaching whenever the connection drops, and writes the job's patch
/// to <c>--out</c>. <c>--job ID</c> re-attaches to a job started earlier instead of submitting one. Exit code 0 when the
/// job succeeded, 1 otherwise.
/// </summary>
internal static class RefactorCommand
{
    private static readonly TimeSpan ReattachDelay = TimeSpan.FromSeconds(2);
    private const int MaxReattachFailures = 60;

    public static Command Create()
    {
        var server = new Option<string>("--server")
        {
            Description = "Base URL of a silo's HTTP API.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SEEDGRAINS_SERVER") ?? "http://127.0.0.1:5080",
        };
        var key = new Option<string?>("--key") { Description = $"The tenant's API key (default: ${JobApiClient.ApiKeyVariable})." };
        var root = new Option<string>("--root") { Description = "Folder the glob and the patch's paths are relative to.", DefaultValueFactory = _ => "." };
        var glob = new Option<string>("--glob") { Description = "Files to upload, e.g. 'src/**/*.py'.", DefaultValueFactory = _ => "**/*.py" };
        var select = new Option<string>("--select")
        {
            Description = "What to regenerate: todo (lines carrying '# TODO(rewrite)'), regex:PATTERN, python-body:NAME_PATTERN.",
            DefaultValueFactory = _ => "todo",
        };
        var concurrency = new Option<int?>("--concurrency") { Description = "Files generated at once (server default 4)." };
        var maxSteps = new Option<int?>("--max-steps") { Description = "Denoising steps per region (server default when unset)." };
        var output = new Option<string>("--out") { Description = "Where to write the patch (git apply takes it).", Required = true };
        var job = new Option<string?>("--job") { Description = "Re-attach to this job instead of starting one." };
        var json = new Option<bool>("--json") { Description = "Print the finished job as JSON (and no progress)." };
        var command = new Command("refactor", "Run a refactor job over many files and write its patch.")
        {
            server, key, root, glob, select, concurrency, maxSteps, output, job, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new JobApiClient(parse.GetValue(server)!, parse.GetValue(key));
            var asJson = parse.GetValue(json);
            var id = parse.GetValue(job) ?? await Submit(client, parse.GetValue(root)!, parse.GetValue(glob)!, parse.GetValue(select)!,
                parse.GetValue(concurrency), parse.GetValue(maxSteps), cancellationToken);
            var finished = await Follow(client, id, asJson, cancellationToken);
            var patch = await client.Patch(id, cancellationToken);
            var outPath = parse.GetValue(output)!;
            await File.WriteAllTextAsync(outPath, patch, cancellationToken);
            Report(finished, outPath, patch, asJson);
            return finished.GetProperty("status").GetString() == "succeeded" ? 0 : 1;
        });
        return command;
    }

    private static async Task<string> Submit(JobApiClient client, string root, string glob, string select, int? concurrency, int? maxSteps, CancellationToken cancellationToken)
    {
        var paths = RefactorFiles.Find(root, glob);
        if (paths.Count == 0) throw new InvalidOperationException($"no file under '{root}' matches '{glob}'");
        var archive = await RefactorFiles.Archive(root, paths, cancellationToken);
        var job = await client.Submit(archive, select, concurrency, maxSteps, cancellationToken);
        var id = job.GetProperty("id").GetString()!;
        Console.Error.WriteLine($"job {id}: {job.GetProperty("filesTotal").GetInt32()} of {paths.Count} files matched '{select}' (re-attach with --job {id})");
        return id;
    }

    /// <summary>The job's events until it finishes; a dropped connection (or a silo going away) is re-attached to.</summary>
    private static async Task<JsonElement> Follow(JobApiClient client, string id, bool json, CancellationToken cancellationToken)
    {
        var first = await client.Get(id, cancellationToken);
        if (!CliProgress.ShownFor(json)) return await Watch(client, id, first, _ => { }, cancellationToken);
        return await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Describe(first), maxValue: Math.Max(1, first.GetProperty("filesTotal").GetInt32()));
                return await Watch(client, id, first, job =>
                {
                    bar.Value = job.GetProperty("filesDone").GetInt32();
                    bar.Description = Describe(job);
                }, cancellationToken);
            });
    }

    private static async Task<JsonElement> Watch(JobApiClient client, string id, JsonElement last, Action<JsonElement> show, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!Finished(last))
        {
            try
            {
                await foreach (var job in client.Events(id, cancellationToken))
                {
                    last = job;
                    failures = 0;
                    show(job);
                }
                if (!Finished(last)) last = await client.Get(id, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                if (++failures > MaxReattachFailures) throw;
                Console.Error.WriteLine($"connection lost ({ex.Message}); re-attaching to job {id}");
                await Task.Delay(ReattachDelay, cancellationToken);
            }
        }
        return last;
    }

    private static bool Finished(JsonElement job) => job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled";

    /// <summary>"37/300 files · 41.2 tok/s · ETA 3m12s".</summary>
    private static string Describe(JsonElement job)
    {
        var rate = Number(job, "tokensPerSecond") is { } r ? $"{r:0.0} tok/s" : "– tok/s";
        var eta = Number(job, "etaSeconds") is { } e ? TimeSpan.FromSeconds(e).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "–";
        return Markup.Escape($"{job.GetProperty("filesDone").GetInt32()}/{job.GetProperty("filesTotal").GetInt32()} files · {rate} · ETA {eta}");
    }

    /// <summary>A number the server may leave out (null values are not sent).</summary>
    private static double? Number(JsonElement job, string name) =>
        job.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static void Report(JsonElement job, string outPath, string patch, bool json)
    {
        var changed = patch.Split('\n').Count(l => l.StartsWith("diff --git ", StringComparison.Ordinal));
        if (json)
        {
            var answer = JsonSerializer.SerializeToNode(job)!.AsObject();
            answer["patch"] = outPath;
            answer["filesChanged"] = changed;
            Console.WriteLine(answer.ToJsonString());
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{job.GetProperty("status").GetString()}: {job.GetProperty("filesDone").GetInt32()} of {job.GetProperty("filesTotal").GetInt32()} files ({job.GetProperty("filesFailed").GetInt32()} failed), {job.GetProperty("tokens").GetInt64()} tokens in {job.GetProperty("elapsedSeconds").GetDouble():0.0} s ({Number(job, "tokensPerSecond") ?? 0:0.0} tokens/s); {changed} files changed in {outPath}"));
    }
}
