using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SeedGrains.Grains.Telemetry;

/// <summary>
/// The service's OpenTelemetry instruments (meter and activity source "SeedGrains"). Names follow OpenTelemetry's
/// conventions; a Prometheus scrape shows them with dots as underscores and the unit appended
/// (<c>seedgrains_tokens_committed_total</c>, <c>seedgrains_worker_forward_duration_seconds</c>). docs/operations.md,
/// "Monitoring", says what each one means. Static, as instruments are meant to be: one per process, whatever the
/// number of silos or devices in it (tags tell them apart).
/// </summary>
public static class SeedGrainsMetrics
{
    public const string Name = "SeedGrains";

    public static readonly Meter Meter = new(Name, "1.0");

    public static readonly ActivitySource Activities = new(Name, "1.0");

    // A step takes ~1 ms (a cached row on a GPU) to seconds (a long window on a CPU); batches hold 1 to a few hundred rows.
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private static readonly InstrumentAdvice<int> Rows = new() { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] };

    /// <summary>Compute time of one batched denoising step on a device (the forward pass and commit choice).</summary>
    public static readonly Histogram<double> ForwardDuration = Meter.CreateHistogram<double>(
        "seedgrains.worker.forward.duration", "s", "Compute time of one batched denoising step on a device.", advice: Seconds);

    /// <summary>Rows (session steps) in one batch.</summary>
    public static readonly Histogram<int> BatchRows = Meter.CreateHistogram<int>(
        "seedgrains.worker.batch.rows", "{row}", "Session steps batched into one forward.", advice: Rows);

    /// <summary>Steps waiting in a device's queue.</summary>
    public static readonly UpDownCounter<int> QueueDepth = Meter.CreateUpDownCounter<int>(
        "seedgrains.worker.queue.depth", "{step}", "Steps waiting in a device's queue.");

    /// <summary>Model steps taken, per tenant and model (one per session row in a batch).</summary>
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>(
        "seedgrains.steps", "{step}", "Denoising steps taken for sessions, per tenant and model.");

    /// <summary>Tokens the model committed into sessions' documents, per tenant and model.</summary>
    public static readonly Counter<long> TokensCommitted = Meter.CreateCounter<long>(
        "seedgrains.tokens.committed", "{token}", "Tokens committed into sessions' documents, per tenant and model.");

    /// <summary>A session's step from the moment it asked until the answer came back (queueing included).</summary>
    public static readonly Histogram<double> StepLatency = Meter.CreateHistogram<double>(
        "seedgrains.session.step.duration", "s", "A session's denoising step, asked to answered (queueing included).", advice: Seconds);

    /// <summary>Session activations on this silo, and how many of them are denoising.</summary>
    public static readonly UpDownCounter<int> SessionsActive = Meter.CreateUpDownCounter<int>(
        "seedgrains.sessions.active", "{session}", "Session activations on this silo.");

    public static readonly UpDownCounter<int> SessionsDenoising = Meter.CreateUpDownCounter<int>(
        "seedgrains.sessions.denoising", "{session}", "Sessions on this silo whose model is filling regions.");

    /// <summary>Requests refused, by reason (rate_limit, quota, unavailable, auth_throttle).</summary>
    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        "seedgrains.requests.rejected", "{request}", "Requests refused, by reason.");

    /// <summary>Session state writes, by kind (acknowledged, checkpoint) and outcome (ok, failed).</summary>
    public static readonly Counter<long> StateWrites = Meter.CreateCounter<long>(
        "seedgrains.session.writes", "{write}", "Session state writes, by kind and outcome.");
}
