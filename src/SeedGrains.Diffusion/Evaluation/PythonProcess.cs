using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SeedGrains.Diffusion.Evaluation;

/// <summary>
/// Runs a short script in the machine's python3 with a JSON document on stdin and reads one JSON document back: one
/// process per batch of files, so the cost of starting Python is paid once, not per file. Python's own parser is the
/// reference for "is this still Python" — no .NET Python grammar is maintained to the language's current version.
/// </summary>
public sealed class PythonProcess(string executable = "python3")
{
    public string Executable { get; } = executable;

    /// <summary>Runs <paramref name="script"/> (passed with -c) with <paramref name="input"/> serialized on stdin; returns its stdout parsed as <typeparamref name="T"/>.</summary>
    public T Run<T>(string script, object input)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { "-I", "-c", script }) start.ArgumentList.Add(arg);
        Process process;
        try { process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}"); }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{Executable} not found: the `bodies` task finds function bodies and checks that filled files parse with the machine's Python (3.8 or later) — install python3 or put it on PATH ({e.Message})", e);
        }
        using (process)
        {
            // Read both pipes while writing stdin, so a large batch cannot deadlock on a full pipe.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(JsonSerializer.Serialize(input));
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{Executable} failed (exit code {process.ExitCode}): {stderr.Result.Trim()}");
            return JsonSerializer.Deserialize<T>(stdout.Result) ?? throw new InvalidDataException($"{Executable} printed no result");
        }
    }
}
