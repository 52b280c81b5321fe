using System.CommandLine;
using System.Text.Json;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// `seedgrains admin tenants create|list|show|set-quota|suspend|resume|delete` and `seedgrains admin keys
/// create|list|revoke`: the admin API from a terminal. `--server` and `--operator-key` (or SEEDGRAINS_OPERATOR_KEY)
/// say where and as whom; tables by default, the server's JSON with `--json`. Failures print the server's problem
/// detail as one "error: …" line and exit 1.
/// </summary>
internal static class AdminCommand
{
    private static readonly Option<string> Server = new("--server")
    {
        Description = "Base URL of a silo's HTTP API.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SEEDGRAINS_SERVER") ?? "http://127.0.0.1:5080",
        Recursive = true,
    };

    private static readonly Option<string?> OperatorKey = new("--operator-key")
    {
        Description = $"Operator key (default: ${AdminApiClient.OperatorKeyVariable}).",
        Recursive = true,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print the server's JSON answer.", Recursive = true };

    public static Command Create() => new("admin", "Administer tenants and their API keys through the admin API (operator key needed).")
    {
        Server,
        OperatorKey,
        Json,
        AdminTenantsCommand.Create(),
        AdminKeysCommand.Create(),
    };

    /// <summary>Runs one admin call: builds the client from the shared options, prints the answer one way or the other.</summary>
    internal static Command Action(Command command, Func<ParseResult, AdminApiClient, CancellationToken, Task<JsonElement>> call, Action<JsonElement> print)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = new AdminApiClient(parseResult.GetValue(Server)!, parseResult.GetValue(OperatorKey));
            var answer = await call(parseResult, client, cancellationToken);
            if (parseResult.GetValue(Json))
            {
                if (answer.ValueKind != JsonValueKind.Undefined) AdminOutput.Raw(answer);
            }
            else
            {
                print(answer);
            }
            return 0;
        });
        return command;
    }
}
