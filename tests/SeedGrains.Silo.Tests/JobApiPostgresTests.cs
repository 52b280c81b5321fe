using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// The jobs API end to end: the real host on Kestrel, its jobs and files in a real PostgreSQL, the fake model. Each job
/// is waited for through its event stream (which ends when the job finishes), and its patch is checked by git.
/// </summary>
public sealed class JobApiPostgresTests : IAsyncLifetime
{
    private PostgresServer? _postgres;
    private string _connectionString = "";
    private SiloHost? _host;

    private HttpClient Client => _host!.Client;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("jobs_api");
        _host = new SiloHost([$"--Postgres:ConnectionString={_connectionString}", "--Orleans:Tls:Mode=Disabled", "--Jobs:TickSeconds=0.2"]);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }

    private static readonly Dictionary<string, string> Tree = new()
    {
        ["pkg/a.py"] = "import os\n\ndef keep():\n    return 1\n\nx = compute()  # TODO(rewrite)\n",
        ["pkg/b.py"] = "def f(a):\n    y = a * 2  # TODO(rewrite)\n    return y\n",
        ["pkg/none.py"] = "print('nothing to do')\n",
    };

    [Fact]
    public async Task A_json_job_runs_to_the_end_and_its_patch_applies_with_git()
    {
        var created = await Client.PostAsJsonAsync("/v1/jobs", new
        {
            files = Tree.Select(f => new { path = f.Key, text = f.Value }),
            select = "todo",
            concurrency = 2,
            decoding = new { maxSteps = 4, seed = 7 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var job = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/jobs/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal((3, 2, "todo"), (job.GetProperty("filesUploaded").GetInt32(), job.GetProperty("filesTotal").GetInt32(), job.GetProperty("select").GetString()));

        var events = await Finished(id);
        Assert.Equal("progress", events[^1].Event);
        var done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(("succeeded", 2, 0), (done.GetProperty("status").GetString(), done.GetProperty("filesDone").GetInt32(), done.GetProperty("filesFailed").GetInt32()));
        Assert.True(done.GetProperty("tokens").GetInt64() > 0);

        // Durable: the results are rows in PostgreSQL, one per file.
        Assert.Equal(2, await Scalar("SELECT count(*) FROM job_files WHERE job_id = $1 AND outcome = 'succeeded'", id));
        Assert.Equal("succeeded", await Scalar<string>("SELECT status FROM jobs WHERE job_id = $1", id));

        var file = await Client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}/files/1");
        Assert.Equal(("pkg/b.py", "succeeded"), (file.GetProperty("path").GetString(), file.GetProperty("status").GetString()));
        Assert.StartsWith("def f(a):\n", file.GetProperty("text").GetString());
        await ProblemAssert.Is(await Client.GetAsync($"/v1/jobs/{id}/files/2"), (HttpStatusCode)404);

        var patch = await Client.GetAsync($"/v1/jobs/{id}/patch");
        Assert.Equal("text/x-diff", patch.Content.Headers.ContentType!.MediaType);
        var text = await patch.Content.ReadAsStringAsync();
        Assert.Contains("--- a/pkg/a.py", text);
        Assert.DoesNotContain("pkg/none.py", text);
        await GitApplies(text);

        var list = await Client.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Contains(list.GetProperty("data").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task An_archive_job_selects_python_bodies()
    {
        var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip))
        {
            foreach (var (path, text) in Tree)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };
                await tar.WriteEntryAsync(entry);
            }
        }
        var content = new ByteArrayContent(archive.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        var created = await Client.PostAsync("/v1/jobs?select=python-body:^(keep|f)$&concurrency=3", content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var done = JsonDocument.Parse((await Finished(id))[^1].Data).RootElement;
        Assert.Equal(("succeeded", 2, 3), (done.GetProperty("status").GetString(), done.GetProperty("filesTotal").GetInt32(), done.GetProperty("filesUploaded").GetInt32()));
        await GitApplies(await Client.GetStringAsync($"/v1/jobs/{id}/patch"));

        // Every decoding field of a JSON submission is a query parameter of an archive upload, checked the same way.
        var decoded = await Client.PostAsync("/v1/jobs?select=todo&policy=topk&threshold=0.8&entropyBound=1.5&maxSteps=2&blockSize=4&temperature=0&seed=7", Gzip(archive));
        Assert.Equal(HttpStatusCode.Created, decoded.StatusCode);
        var badPolicy = await ProblemAssert.Is(await Client.PostAsync("/v1/jobs?select=todo&policy=greedy", Gzip(archive)), (HttpStatusCode)400);
        Assert.Contains("decoding.policy", badPolicy.GetProperty("detail").GetString());
        var badThreshold = await ProblemAssert.Is(await Client.PostAsync("/v1/jobs?select=todo&threshold=high", Gzip(archive)), (HttpStatusCode)400);
        Assert.Contains("threshold must be a number", badThreshold.GetProperty("detail").GetString());

        static ByteArrayContent Gzip(MemoryStream archive)
        {
            var body = new ByteArrayContent(archive.ToArray());
            body.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            return body;
        }
    }

    [Fact]
    public async Task Limits_bad_requests_and_state_conflicts_are_problem_details()
    {
        await ProblemAssert.Is(await Client.PostAsJsonAsync("/v1/jobs", new { files = new[] { new { path = "../x.py", text = "x" } }, select = "todo" }), (HttpStatusCode)400);
        await ProblemAssert.Is(await Client.PostAsJsonAsync("/v1/jobs", new { files = Array.Empty<object>(), select = "lines:3" }), (HttpStatusCode)400);
        await ProblemAssert.Is(await Client.GetAsync("/v1/jobs/j_0123456789abcdef0123456789abcdef"), (HttpStatusCode)404);
        await ProblemAssert.Is(await Client.GetAsync("/v1/jobs/nope"), (HttpStatusCode)404);

        var key = await TenantWith(maxActiveJobs: 1, maxFilesPerJob: 1);
        using var tenant = new HttpClient { BaseAddress = Client.BaseAddress };
        tenant.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var tooMany = await ProblemAssert.Is(await tenant.PostAsJsonAsync("/v1/jobs", new { files = Tree.Select(f => new { path = f.Key, text = f.Value }), select = "todo" }), (HttpStatusCode)409);
        Assert.Contains("at most 1", tooMany.GetProperty("detail").GetString());

        _host!.Stepper.Gate.Reset(); // the first job stays active
        var first = await tenant.PostAsJsonAsync("/v1/jobs", new { files = new[] { new { path = "a.py", text = Tree["pkg/a.py"] } }, select = "todo" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var busy = await ProblemAssert.Is(await tenant.PostAsJsonAsync("/v1/jobs", new { files = new[] { new { path = "a.py", text = Tree["pkg/a.py"] } }, select = "todo" }), (HttpStatusCode)429);
        Assert.Contains("active jobs", busy.GetProperty("detail").GetString());

        Assert.Equal("paused", (await (await tenant.PostAsync($"/v1/jobs/{id}/pause", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await (await tenant.DeleteAsync($"/v1/jobs/{id}")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await ProblemAssert.Is(await tenant.PostAsync($"/v1/jobs/{id}/resume", null), (HttpStatusCode)409);
        _host.Stepper.Gate.Set();
        // Another tenant cannot see it.
        await ProblemAssert.Is(await Client.GetAsync($"/v1/jobs/{id}"), (HttpStatusCode)404);
    }

    /// <summary>The job's events until its stream ends (it ends when the job finishes); the timeout only guards against a hang.</summary>
    private async Task<List<SseEvent>> Finished(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await Client.GetAsync($"/v1/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Sse.ReadAll(response, timeout.Token);
    }

    private async Task<string> TenantWith(int maxActiveJobs, int maxFilesPerJob)
    {
        var operators = _host!.Services.GetRequiredService<IGrainFactory>();
        var tenant = operators.GetGrain<Abstractions.Tenants.ITenantGrain>("limited");
        await tenant.Create(Abstractions.Tenants.TenantQuotas.Default with { MaxActiveJobs = maxActiveJobs, MaxFilesPerJob = maxFilesPerJob });
        return (await tenant.CreateApiKey("jobs", null)).Secret;
    }

    private static async Task GitApplies(string patch)
    {
        var dir = Directory.CreateTempSubdirectory("job-patch-");
        try
        {
            foreach (var (path, text) in Tree)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir.FullName, path))!);
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, path), text);
            }
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "changes.patch"), patch);
            var start = new ProcessStartInfo("git", ["apply", "--check", "changes.patch"]) { WorkingDirectory = dir.FullName, RedirectStandardError = true };
            using var git = Process.Start(start)!;
            var error = await git.StandardError.ReadToEndAsync();
            await git.WaitForExitAsync();
            Assert.True(git.ExitCode == 0, $"git apply --check: {error}\n{patch}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private Task<long> Scalar(string sql, string id) => Scalar<long>(sql, id);

    private async Task<T> Scalar<T>(string sql, string id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = id } } };
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
