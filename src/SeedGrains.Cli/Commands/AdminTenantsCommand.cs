using System.CommandLine;
using System.Text.Json;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains admin tenants …`: create, list, show, set-quota, suspend, resume, delete.</summary>
internal static class AdminTenantsCommand
{
    private static readonly (string Option, string Field, string Description)[] QuotaOptions =
    [
        ("--max-concurrent-sessions", "maxConcurrentSessions", "Sessions denoising at once."),
        ("--max-text-chars", "maxTextChars", "Longest document, in characters."),
        ("--max-stored-sessions", "maxStoredSessions", "Sessions the tenant may keep."),
        ("--tokens-per-minute", "tokensPerMinute", "Generated tokens per minute (0 = unlimited)."),
        ("--requests-per-minute", "requestsPerMinute", "API requests per minute (0 = unlimited)."),
        ("--weight", "weight", "Share of the model's batch slots relative to other tenants."),
    ];

    public static Command Create()
    {
        var tenants = new Command("tenants", "Create, list, show, change, suspend, resume and delete tenants.");

        var createId = Id();
        var create = new Command("create", "Create a tenant (quotas not given come from Tenants:DefaultQuotas).") { createId };
        var createQuotas = AddQuotaOptions(create);
        tenants.Subcommands.Add(AdminCommand.Action(create,
            (p, client, ct) => client.Send(HttpMethod.Post, "tenants", new { id = p.GetValue(createId), quotas = Quotas(p, createQuotas) }, ct),
            AdminOutput.Tenant));

        var limit = new Option<int>("--limit") { Description = "Tenants per page.", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "Where to continue (nextCursor of the previous page)." };
        var list = new Command("list", "List tenants, one page at a time.") { limit, cursor };
        tenants.Subcommands.Add(AdminCommand.Action(list,
            (p, client, ct) => client.Send(HttpMethod.Get, $"tenants?limit={p.GetValue(limit)}" + (p.GetValue(cursor) is { } c ? "&cursor=" + Uri.EscapeDataString(c) : ""), null, ct),
            PrintList));

        var showId = Id();
        tenants.Subcommands.Add(AdminCommand.Action(new Command("show", "Show a tenant: status, created, quotas, usage.") { showId },
            (p, client, ct) => client.Send(HttpMethod.Get, $"tenants/{Escape(p.GetValue(showId))}", null, ct), AdminOutput.Tenant));

        var quotaId = Id();
        var setQuota = new Command("set-quota", "Change some of a tenant's quotas (the others stay).") { quotaId };
        var setQuotas = AddQuotaOptions(setQuota);
        tenants.Subcommands.Add(AdminCommand.Action(setQuota,
            (p, client, ct) => client.Send(HttpMethod.Patch, $"tenants/{Escape(p.GetValue(quotaId))}", new { quotas = Quotas(p, setQuotas) ?? new() }, ct),
            AdminOutput.Tenant));

        foreach (var (name, status, description) in new[]
        {
            ("suspend", "suspended", "Suspend a tenant: its requests are refused (403) and its sessions hold still."),
            ("resume", "active", "Resume a suspended tenant."),
        })
        {
            var id = Id();
            tenants.Subcommands.Add(AdminCommand.Action(new Command(name, description) { id },
                (p, client, ct) => client.Send(HttpMethod.Patch, $"tenants/{Escape(p.GetValue(id))}", new { status }, ct), AdminOutput.Tenant));
        }

        var deleteId = Id();
        tenants.Subcommands.Add(AdminCommand.Action(new Command("delete", "Delete a tenant: keys revoked, sessions cancelled, all its data removed.") { deleteId },
            (p, client, ct) => client.Send(HttpMethod.Delete, $"tenants/{Escape(p.GetValue(deleteId))}", null, ct),
            _ => Console.WriteLine("deleted")));
        return tenants;
    }

    private static Argument<string> Id() => new("id") { Description = "Tenant id (lowercase letters, digits, '-'; 3–40 characters)." };

    internal static string Escape(string? value) => Uri.EscapeDataString(value ?? "");

    private static List<(Option<int?> Option, string Field)> AddQuotaOptions(Command command)
    {
        var options = QuotaOptions.Select(q => (new Option<int?>(q.Option) { Description = q.Description }, q.Field)).ToList();
        foreach (var (option, _) in options) command.Options.Add(option);
        return options;
    }

    private static Dictionary<string, int>? Quotas(ParseResult parseResult, List<(Option<int?> Option, string Field)> options)
    {
        var given = options.Where(o => parseResult.GetValue(o.Option) is not null).ToDictionary(o => o.Field, o => parseResult.GetValue(o.Option)!.Value);
        return given.Count == 0 ? null : given;
    }

    private static void PrintList(JsonElement page)
    {
        AdminOutput.Table(["ID", "STATUS", "CREATED", "ACTIVE", "TOKENS", "WEIGHT"],
            page.GetProperty("data").EnumerateArray().Select(t => (IReadOnlyList<string>)
            [
                AdminOutput.Text(t, "id"), AdminOutput.Text(t, "status"), AdminOutput.Text(t, "createdAt"),
                AdminOutput.Number(t, "usage", "activeSessions"), AdminOutput.Number(t, "usage", "tokensGenerated"), AdminOutput.Number(t, "quotas", "weight"),
            ]));
        if (page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String)
            Console.WriteLine($"more: --cursor {next.GetString()}");
    }
}
