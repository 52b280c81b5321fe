using System.CommandLine;
using SeedGrains.Cli.Commands;

// `seedgrains`: one sub-command per file under Commands/, each returning a System.CommandLine Command.
// Text and JSON are UTF-8 whatever the terminal's locale says ("τ", not "?").
Console.OutputEncoding = System.Text.Encoding.UTF8;
var root = new RootCommand("SeedGrains: diffusion language models for code — train, evaluate, benchmark, verify.");
foreach (var command in new[]
{
    VersionCommand.Create(),
    VerifyCommand.Create(),
    TokenizeCommand.Create(),
    TokenizerTrainCommand.Create(),
    TrainCommand.Create(),
    ExportCommand.Create(),
    InitCommand.Create(),
    EvalCommand.Create(),
    BenchCommand.Create(),
    DbMigrateCommand.Create(),
    AdminCommand.Create(),
    RefactorCommand.Create(),
})
{
    root.Subcommands.Add(command);
}
// Failures are reported as one "error: …" line (exit 1), not a stack trace; SEEDGRAINS_DEBUG=1 shows the trace.
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (Environment.GetEnvironmentVariable("SEEDGRAINS_DEBUG") != "1")
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
