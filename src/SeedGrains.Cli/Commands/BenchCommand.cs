using System.CommandLine;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains bench …`: benchmarks (decode; service comes with the service).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks.");
        command.Subcommands.Add(BenchDecodeCommand.Create());
        return command;
    }
}
