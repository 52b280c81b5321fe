using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SeedGrains.Cli.Tests;

/// <summary>`seedgrains admin` run as a user runs it, against a real host.</summary>
public sealed class AdminCliTests(AdminCliHost host) : IClassFixture<AdminCliHost>
{
    private Task<(int ExitCode, string Stdout, string Stderr)> Admin(params string[] args) =>
        Cli.RunAsync(["admin", .. args, "--server", host.Url, "--operator-key", AdminCliHost.OperatorKey]);

    [Fact]
    public async Task Tenant_lifecycle_from_create_to_delete()
    {
        var created = await Admin("tenants", "create", "cli-acme", "--max-concurrent-sessions", "3");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("id: cli-acme", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("quotas.maxConcurrentSessions: 3", created.Stdout, StringComparison.Ordinal);

        var list = await Admin("tenants", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("ID", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("cli-acme", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("dev", list.Stdout, StringComparison.Ordinal);

        var quota = await Admin("tenants", "set-quota", "cli-acme", "--weight", "2", "--json");
        Assert.Equal(0, quota.ExitCode);
        var quotas = JsonDocument.Parse(quota.Stdout).RootElement.GetProperty("quotas");
        Assert.Equal(2, quotas.GetProperty("weight").GetInt32());
        Assert.Equal(3, quotas.GetProperty("maxConcurrentSessions").GetInt32());

        Assert.Contains("status: suspended", (await Admin("tenants", "suspend", "cli-acme")).Stdout, StringComparison.Ordinal);
        Assert.Contains("status: active", (await Admin("tenants", "resume", "cli-acme")).Stdout, StringComparison.Ordinal);
        Assert.Contains("status: active", (await Admin("tenants", "show", "cli-acme")).Stdout, StringComparison.Ordinal);
        var deleted = await Admin("tenants", "delete", "cli-acme");
        Assert.Equal((0, "deleted"), (deleted.ExitCode, deleted.Stdout.Trim()));

        var gone = await Admin("tenants", "show", "cli-acme");
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("error: No tenant 'cli-acme'. (HTTP 404)", gone.Stderr.Trim());
    }

    [Fact]
    public async Task Keys_are_created_once_listed_without_secret_and_revoked()
    {
        Assert.Equal(0, (await Admin("tenants", "create", "cli-keys")).ExitCode);
        var created = await Admin("keys", "create", "cli-keys", "--name", "ci", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var key = JsonDocument.Parse(created.Stdout).RootElement;
        var secret = key.GetProperty("key").GetString()!;
        var id = key.GetProperty("id").GetString()!;

        using var client = new HttpClient { BaseAddress = new Uri(host.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.True((await client.PostAsJsonAsync("/v1/sessions", new { text = "abc" })).IsSuccessStatusCode);

        var list = await Admin("keys", "list", "cli-keys");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
        Assert.Contains(secret[..8], list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.Stdout, StringComparison.Ordinal);

        Assert.Equal("revoked", (await Admin("keys", "revoke", "cli-keys", id)).Stdout.Trim());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/sessions/s_x")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_operator_key_or_a_bad_id_is_one_error_line_and_exit_1()
    {
        var wrong = await Cli.RunAsync("admin", "tenants", "list", "--server", host.Url, "--operator-key", "not-it");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal("error: The operator key is not valid. (HTTP 401)", wrong.Stderr.Trim());

        var bad = await Admin("tenants", "create", "No_Good");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: id must be lowercase letters", bad.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
    }
}
