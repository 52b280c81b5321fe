using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeedGrains.Tests.Fakes;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Cluster.Tests;

/// <summary>
/// Revoking an API key through either silo of a two-silo cluster refuses it on both silos at the very next request —
/// no waiting: no silo may keep a positive answer for a key (<c>UnknownKeyCache</c> holds only unknown keys, and the
/// key-index grain is one activation for the whole cluster).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiKeyRevocationTests(PostgresServerFixture postgres)
{
    private const string OperatorKey = "cluster-operator-key-0123456789";
    private const string Tenant = "revoking";

    [Fact]
    public async Task A_key_revoked_through_either_silo_is_refused_by_both_at_the_next_request()
    {
        var connectionString = await postgres.CreateDatabaseAsync("revocation");
        var clusterId = $"revocation-{Guid.NewGuid():N}"[..24];
        string[] admin = [$"--Admin:OperatorKeys:0={OperatorKey}"];
        await using var a = await ClusterSilo.Start("A", connectionString, clusterId, new FakeStepper(), admin);
        await using var b = await ClusterSilo.Start("B", connectionString, clusterId, new FakeStepper(), admin);
        ClusterSilo[] silos = [a, b];
        // One cluster, not two silos that merely share a database (then each would hold its own key activation).
        var hosts = await a.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);

        using var operatorOnA = Client(a, OperatorKey);
        (await operatorOnA.PostAsJsonAsync("/admin/v1/tenants", new { id = Tenant })).EnsureSuccessStatusCode();
        var revokedThroughA = await CreateKey(operatorOnA, "revoked through A");
        var revokedThroughB = await CreateKey(operatorOnA, "revoked through B");
        var kept = await CreateKey(operatorOnA, "kept");

        // Every key works on both silos first, so each silo has answered for each (a positive cache would hold them now).
        foreach (var silo in silos)
            foreach (var key in new[] { revokedThroughA, revokedThroughB, kept })
                Assert.Equal(HttpStatusCode.OK, await Status(silo, key.Secret));

        using (var revoke = await operatorOnA.DeleteAsync($"/admin/v1/tenants/{Tenant}/keys/{revokedThroughA.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        foreach (var silo in silos)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await Status(silo, revokedThroughA.Secret));
            Assert.Equal(HttpStatusCode.OK, await Status(silo, revokedThroughB.Secret));
        }

        using var operatorOnB = Client(b, OperatorKey);
        using (var revoke = await operatorOnB.DeleteAsync($"/admin/v1/tenants/{Tenant}/keys/{revokedThroughB.Id}"))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        foreach (var silo in silos)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await Status(silo, revokedThroughB.Secret));
            Assert.Equal(HttpStatusCode.OK, await Status(silo, kept.Secret));
        }

        var listed = await operatorOnB.GetFromJsonAsync<JsonElement>($"/admin/v1/tenants/{Tenant}/keys");
        Assert.Equal([kept.Id], listed.GetProperty("data").EnumerateArray().Select(k => k.GetProperty("id").GetString()));
    }

    private static async Task<(string Id, string Secret)> CreateKey(HttpClient op, string name)
    {
        using var response = await op.PostAsJsonAsync($"/admin/v1/tenants/{Tenant}/keys", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    /// <summary>The status of an authenticated read (the tenant's session list) on <paramref name="silo"/> with <paramref name="key"/>.</summary>
    private static async Task<HttpStatusCode> Status(ClusterSilo silo, string key)
    {
        using var client = Client(silo, key);
        using var response = await client.GetAsync("/v1/sessions");
        return response.StatusCode;
    }

    private static HttpClient Client(ClusterSilo silo, string bearer)
    {
        var client = new HttpClient { BaseAddress = silo.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}
