using System.Text.Json;

namespace SeedGrains.Cli.Tests;

/// <summary>
/// `seedgrains bench collab` end to end through the built CLI against a running host (real Kestrel and grains, the
/// fake model of the grain tests, which commits one token per step): two clients type a few edits each while the model
/// denoises. Benchmarks are not tests: no timing assertions, only that the counts it reports add up and that the run
/// converged with every conflict a true overlap.
/// </summary>
public sealed class BenchCollabCommandTests(AdminCliHost host) : IClassFixture<AdminCliHost>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("seedgrains-collab-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TwoClientsEditingWhileTheModelDenoisesPrintConsistentJson()
    {
        var file = SamplePython.Write(Path.Combine(_dir, "sample.py"), seed: 0, functions: 15);

        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "collab", "--server", host.Url, "--key", AdminCliHost.DevKey,
            "--clients", "2", "--edits", "12", "--interval-ms", "5", "--doc-kb", "4", "--region-tokens", "16", "--file", file, "--seed", "5", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        int Int(string name) => root.GetProperty(name).GetInt32();
        double Number(string name) => root.GetProperty(name).GetDouble();
        Assert.Equal(2, Int("clients"));
        Assert.Equal(2 * 12, Int("edits_typed"));                       // no typed edit is a no-op
        Assert.Equal(Int("edits_typed"), Int("edits_sent") + Int("rolled_back_unsent"));
        Assert.Equal(Int("edits_sent") - Int("conflicts") - Int("rejections_other_409") - Int("errors"), Int("acknowledged"));
        Assert.Equal(Int("acknowledged"), Int("acknowledged_on_stream"));
        Assert.Equal(0, Int("errors"));
        Assert.Equal(0, Int("rejections_not_overlap"));
        Assert.Equal(0, Int("conflicts_unverifiable"));
        Assert.Equal(Int("conflicts"), Int("conflicts_overlap"));
        Assert.Equal(Number("conflict_rate"), (double)Int("conflicts") / Int("edits_sent"), 9);
        Assert.True(root.GetProperty("converged").GetBoolean(), stdout);
        Assert.Equal(2, Int("converged_clients"));
        Assert.True(Int("model_steps") > 0, stdout);
        Assert.True(Int("acknowledged") > 0 && Number("ack_p50_ms") > 0 && Number("ack_p50_ms") <= Number("ack_p99_ms"), stdout);
        // Both clients joined before anyone typed, so each sees every person's edit (and the re-arms).
        Assert.True(Int("model_change_events") > 0 && Int("person_change_events") >= 2 * Int("acknowledged"), stdout);
        Assert.Equal(Int("model_change_events") + Int("person_change_events"), Int("change_events"));
        // A change event carries the change, not the 4 KB document the snapshot carries.
        Assert.True(Number("snapshot_bytes_mean") > Int("doc_chars"), stdout);
        Assert.True(Number("change_bytes_mean") > 0 && Number("change_bytes_mean") <= Int("change_bytes_max") && Int("change_bytes_max") < 1024, stdout);
        Assert.Equal(host.Url, root.GetProperty("server").GetString());
    }

    [Fact]
    public async Task NeitherModelNorServerIsAClearError()
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench", "collab", "--clients", "2", "--json");
        Assert.NotEqual(0, exitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("pass either --model DIR", stderr);
    }
}
