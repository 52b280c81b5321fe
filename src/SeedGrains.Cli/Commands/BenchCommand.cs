using System.CommandLine;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains bench …`: benchmarks (decode: diffusion vs AR; forward: a decoder step's cost by its width; service: the service vs the raw batched decoder; fairness: weighted shares of the model worker; collab: people editing one session while it denoises).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks.");
        command.Subcommands.Add(BenchDecodeCommand.Create());
        command.Subcommands.Add(BenchForwardCommand.Create());
        command.Subcommands.Add(BenchServiceCommand.Create());
        command.Subcommands.Add(BenchFairnessCommand.Create());
        command.Subcommands.Add(BenchCollabCommand.Create());
        return command;
    }
}
