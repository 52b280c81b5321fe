using System.CommandLine;
using SeedGrains.Cli.Commands;

// `seedgrains`: one sub-command per file under Commands/, each returning a System.CommandLine Command.
var root = new RootCommand("SeedGrains: diffusion language models for code — train, evaluate, benchmark, verify.");
foreach (var command in new[]
{
    VersionCommand.Create(),
    VerifyCommand.Create(),
    TokenizeCommand.Create(),
    TokenizerTrainCommand.Create(),
    TrainCommand.Create(),
    EvalCommand.Create(),
    BenchCommand.Create(),
    DbMigrateCommand.Create(),
})
{
    root.Subcommands.Add(command);
}
return await root.Parse(args).InvokeAsync();
