using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// The built silo (<c>dotnet SeedGrains.Silo.dll</c>, next to these tests) started with a mistake: exit code 2, one
/// line on stderr naming the key, no stack trace and nothing else on stdout — unless <c>SEEDGRAINS_DEBUG=1</c>.
/// </summary>
public sealed class StartupFailureProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("--Model:Path=/no/such/model/folder", "Model:Path")]
    [InlineData("--Urls=http://127.0.0.1:notaport", "Urls")]
    [InlineData("--Model:Dtype=float16", "Model:Dtype")]
    [InlineData("--Orleans:SiloPort=-5", "Orleans:SiloPort")]
    [InlineData("--Orleans:SiloPort=0", "Orleans:SiloPort")]
    [InlineData("--Orleans:Tls:CertificatePath=/no/such/silo.pfx", "Orleans:Tls:CertificatePath")]
    [InlineData("--Postgres:ConnectionString=Host=127.0.0.1;Port=1", "Orleans:Tls:CertificatePath")]
    public async Task A_mistake_is_one_line_and_exit_code_2(string argument, string key)
    {
        var run = await RunSilo(argument);
        AssertOneLineFailure(run, key);
    }

    [Fact]
    public async Task An_HTTP_port_in_use_is_one_line_and_exit_code_2()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var run = await RunSilo($"--Urls=http://127.0.0.1:{port}");
        AssertOneLineFailure(run, "Urls");
        Assert.Contains(port.ToString(), run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_while_starting_PostgreSQL_unreachable_is_one_line_without_logged_stack_traces()
    {
        // Passes every check before start-up; fails when the silo first connects to the database.
        using var authority = new TestCertificates();
        var (certificate, key) = authority.WritePem(authority.Issue("silo"), "silo");
        var run = await RunSilo("--Postgres:ConnectionString=Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=5",
            "--Orleans:AdvertisedIP=127.0.0.1", $"--Orleans:Tls:CertificatePath={certificate}", $"--Orleans:Tls:KeyPath={key}");
        AssertOneLineFailure(run, "failed to start", startedLoading: true);
    }

    [Fact]
    public async Task With_SEEDGRAINS_DEBUG_the_stack_trace_is_shown()
    {
        var run = await RunSilo("--Model:Dtype=float16", debug: true);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("seedgrains-silo: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", run.Stderr, StringComparison.Ordinal);
    }

    /// <param name="startedLoading">The host got as far as starting: info lines on stdout are fine, errors and traces are not.</param>
    private static void AssertOneLineFailure(SiloRun run, string key, bool startedLoading = false)
    {
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(run.ExitCode == 2, $"exit code {run.ExitCode}; stderr: {run.Stderr}; stdout: {run.Stdout}");
        Assert.True(lines.Length is >= 1 and <= 3, $"{lines.Length} lines on stderr:\n{run.Stderr}");
        Assert.StartsWith("seedgrains-silo: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(key, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        if (startedLoading)
        {
            Assert.DoesNotContain("fail:", run.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(string.IsNullOrWhiteSpace(run.Stdout), $"stdout is not quiet:\n{run.Stdout}");
        }
    }

    private static Task<SiloRun> RunSilo(params string[] arguments) => RunSilo(debug: false, arguments);

    private static Task<SiloRun> RunSilo(string argument, bool debug) => RunSilo(debug, [argument]);

    /// <summary>
    /// The free silo port chosen for a run can be taken by another process (other test runs start silos too) before
    /// the silo binds it; the silo then rightly refuses to start for that reason. Such a run says nothing about the
    /// argument under test, so it is run again with another port.
    /// </summary>
    private static async Task<SiloRun> RunSilo(bool debug, string[] arguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            var siloPort = TestPorts.Next();
            var run = await RunSiloOnce(debug, arguments, siloPort);
            var lostThePort = run.Stderr.Contains("in use", StringComparison.OrdinalIgnoreCase)
                              && (run.Stderr.Contains($"port {siloPort} ", StringComparison.Ordinal) || run.Stderr.Contains($":{siloPort}", StringComparison.Ordinal));
            if (!lostThePort || attempt == 5) return run;
        }
    }

    private static async Task<SiloRun> RunSiloOnce(bool debug, string[] arguments, int siloPort)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "SeedGrains.Silo.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        // Free ports first, so only the argument under test is wrong (a later --Key wins).
        start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
        start.ArgumentList.Add($"--Orleans:SiloPort={siloPort}");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Nothing from the developer's environment may change the outcome.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SEEDGRAINS_", StringComparison.Ordinal)
                     || k.StartsWith("Orleans__", StringComparison.Ordinal) || k.StartsWith("Postgres__", StringComparison.Ordinal)
                     || k.StartsWith("Model__", StringComparison.Ordinal) || k is "Urls" or "ASPNETCORE_URLS").ToList())
            start.Environment.Remove(name);
        if (debug) start.Environment["SEEDGRAINS_DEBUG"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the silo was still running after {Deadline.TotalSeconds} s with {string.Join(' ', arguments)}: it did not refuse to start");
        }
        return new SiloRun(process.ExitCode, await stdout, await stderr);
    }


    private sealed record SiloRun(int ExitCode, string Stdout, string Stderr);
}
