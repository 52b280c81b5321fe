using System.CommandLine;
using TorchSharp;

namespace SeedGrains.Cli.Commands;

/// <summary>`seedgrains version`: prints the build and the libtorch it runs on (a quick load check).</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the version and check that libtorch loads.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"seedgrains {typeof(VersionCommand).Assembly.GetName().Version} on TorchSharp {typeof(torch).Assembly.GetName().Version}, cuda available: {torch.cuda.is_available()}");
            return 0;
        });
        return command;
    }
}
