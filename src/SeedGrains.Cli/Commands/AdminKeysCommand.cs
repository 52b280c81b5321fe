using System.CommandLine;
using System.Text.Json;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains admin keys create|list|revoke`: a tenant's API keys. The secret is printed once, at creation.</summary>
internal static class AdminKeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create, list and revoke a tenant's API keys.");

        var createTenant = Tenant();
        var name = new Option<string?>("--name") { Description = "A label to tell keys apart." };
        var expires = new Option<DateTimeOffset?>("--expires-at") { Description = "When the key stops working (ISO 8601, e.g. 2027-01-01T00:00:00Z)." };
        keys.Subcommands.Add(AdminCommand.Action(new Command("create", "Create a key; its secret is shown now and never again.") { createTenant, name, expires },
            (p, client, ct) => client.Send(HttpMethod.Post, $"tenants/{AdminTenantsCommand.Escape(p.GetValue(createTenant))}/keys",
                new { name = p.GetValue(name), expiresAt = p.GetValue(expires) }, ct),
            key =>
            {
                Console.WriteLine($"id: {AdminOutput.Text(key, "id")}");
                Console.WriteLine($"key: {AdminOutput.Text(key, "key")}");
                Console.WriteLine($"expires: {AdminOutput.Text(key, "expiresAt")}");
                Console.WriteLine("Store the key now: it cannot be shown again.");
            }));

        var listTenant = Tenant();
        keys.Subcommands.Add(AdminCommand.Action(new Command("list", "List a tenant's keys (never their secrets).") { listTenant },
            (p, client, ct) => client.Send(HttpMethod.Get, $"tenants/{AdminTenantsCommand.Escape(p.GetValue(listTenant))}/keys", null, ct),
            list => AdminOutput.Table(["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "EXPIRES"],
                list.GetProperty("data").EnumerateArray().Select(k => (IReadOnlyList<string>)
                [
                    AdminOutput.Text(k, "id"), AdminOutput.Text(k, "name"), AdminOutput.Text(k, "prefix"),
                    AdminOutput.Text(k, "createdAt"), AdminOutput.Text(k, "lastUsedAt"), AdminOutput.Text(k, "expiresAt"),
                ]))));

        var revokeTenant = Tenant();
        var keyId = new Argument<string>("key-id") { Description = "The key's id (key_…), as listed." };
        keys.Subcommands.Add(AdminCommand.Action(new Command("revoke", "Revoke a key: refused at once on every silo.") { revokeTenant, keyId },
            (p, client, ct) => client.Send(HttpMethod.Delete, $"tenants/{AdminTenantsCommand.Escape(p.GetValue(revokeTenant))}/keys/{AdminTenantsCommand.Escape(p.GetValue(keyId))}", null, ct),
            _ => Console.WriteLine("revoked")));
        return keys;
    }

    private static Argument<string> Tenant() => new("tenant") { Description = "Tenant id." };
}
