using System.Globalization;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>What one run measured, as the `--json` object and as the text table.</summary>
internal sealed record CollabResult(CollabSettings Settings, CollabTally Tally, ConflictVerdicts Verdicts, int Rearms, int ModelSteps,
    long StartVersion, long FinalVersion, int ConvergedClients, int ObserverResyncs, double TypingSeconds, double Seconds)
{
    public Dictionary<string, object?> ToJson(IReadOnlyDictionary<string, object?> target)
    {
        var ack = Tally.AcknowledgedMs;
        var modelBytes = Tally.ModelChangeBytes;
        var personBytes = Tally.PersonChangeBytes;
        var changeBytes = modelBytes.Concat(personBytes).ToList();
        var result = new Dictionary<string, object?>
        {
            ["clients"] = Settings.Clients,
            ["edits_per_client"] = Settings.EditsPerClient,
            ["interval_ms"] = Settings.Interval.TotalMilliseconds,
            ["doc_chars"] = Settings.Text.Length,
            ["region_tokens"] = Settings.RegionTokens,
            ["seed"] = Settings.Seed,
            ["edits_typed"] = Tally.Typed,
            ["edits_sent"] = Tally.Sent,
            ["edits_sent_while_denoising"] = Tally.SentWhileDenoising,
            ["acknowledged"] = Tally.Accepted,
            ["acknowledged_on_stream"] = Tally.AcknowledgedOnStream,
            ["conflicts"] = Tally.Conflicts,
            ["conflict_rate"] = Tally.Sent == 0 ? 0.0 : (double)Tally.Conflicts / Tally.Sent,
            ["conflicts_overlap"] = Verdicts.Overlaps,
            ["conflicts_with_rearm"] = Verdicts.WithRearm,
            ["conflicts_unverifiable"] = Verdicts.Unverifiable,
            // 409s that were not a true overlap: "Edit conflict" the audit could not reproduce, and other 409 titles.
            ["rejections_not_overlap"] = Verdicts.NotOverlaps + Tally.OtherRejections,
            ["rejections_other_409"] = Tally.OtherRejections,
            ["errors"] = Tally.Errors,
            ["rolled_back_unsent"] = Tally.RolledBackUnsent,
            ["rolled_back_in_flight"] = Tally.RolledBackInFlight,
            ["ack_p50_ms"] = Percentiles.NearestRank(ack, 50),
            ["ack_p99_ms"] = Percentiles.NearestRank(ack, 99),
            ["ack_mean_ms"] = ack.Count == 0 ? 0.0 : ack.Average(),
            ["ack_max_ms"] = ack.Count == 0 ? 0.0 : ack.Max(),
            ["change_events"] = changeBytes.Count,
            ["change_bytes_mean"] = changeBytes.Count == 0 ? 0.0 : changeBytes.Average(),
            ["change_bytes_max"] = changeBytes.Count == 0 ? 0 : changeBytes.Max(),
            ["model_change_events"] = modelBytes.Count,
            ["model_change_bytes_mean"] = modelBytes.Count == 0 ? 0.0 : modelBytes.Average(),
            ["person_change_events"] = personBytes.Count,
            ["person_change_bytes_mean"] = personBytes.Count == 0 ? 0.0 : personBytes.Average(),
            ["snapshot_bytes_mean"] = Tally.SnapshotBytes.Count == 0 ? 0.0 : Tally.SnapshotBytes.Average(),
            ["model_steps"] = ModelSteps,
            ["rearms"] = Rearms,
            ["start_version"] = StartVersion,
            ["final_version"] = FinalVersion,
            ["converged_clients"] = ConvergedClients,
            ["converged"] = ConvergedClients == Settings.Clients,
            ["observer_resyncs"] = ObserverResyncs,
            ["typing_seconds"] = TypingSeconds,
            ["seconds"] = Seconds,
        };
        foreach (var (key, value) in target) result[key] = value;
        return result;
    }

    /// <summary>The headline numbers as a small table (the rest is in --json).</summary>
    public static void PrintTable(IReadOnlyDictionary<string, object?> json, TextWriter output)
    {
        string F(string key, string format = "0.#") => json[key] switch
        {
            double d => d.ToString(format, CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
        };
        (string, string)[] rows =
        [
            ("clients", F("clients")),
            ("edits sent (typed)", $"{F("edits_sent")} ({F("edits_typed")}; {F("edits_sent_while_denoising")} sent while denoising)"),
            ("acknowledged (seen on stream)", $"{F("acknowledged")} ({F("acknowledged_on_stream")})"),
            ("ack latency p50 / p99", $"{F("ack_p50_ms")} / {F("ack_p99_ms")} ms"),
            ("conflicts (409 Edit conflict)", $"{F("conflicts")} = {F("conflict_rate", "0.0%")} of sent ({F("conflicts_overlap")} true overlaps, {F("conflicts_with_rearm")} with the re-arm)"),
            ("409s not for an overlap", F("rejections_not_overlap")),
            ("other errors", F("errors")),
            ("change event bytes mean / max", $"{F("change_bytes_mean")} / {F("change_bytes_max")} ({F("change_events")} events)"),
            ("  model step / person edit mean", $"{F("model_change_bytes_mean")} / {F("person_change_bytes_mean")}"),
            ("model steps committed (forwards run; re-arms)", $"{F("model_steps")} ({(json.ContainsKey("model_forwards") ? F("model_forwards") : "?")}; {F("rearms")})"),
            ("converged", $"{F("converged_clients")} of {F("clients")} clients = server text"),
            ("seconds (typing)", $"{F("seconds")} ({F("typing_seconds")})"),
        ];
        var width = rows.Max(r => r.Item1.Length);
        output.WriteLine($"{"metric".PadRight(width)} | value");
        output.WriteLine($"{new string('-', width)}-|-{new string('-', 40)}");
        foreach (var (name, value) in rows) output.WriteLine($"{name.PadRight(width)} | {value}");
    }
}
