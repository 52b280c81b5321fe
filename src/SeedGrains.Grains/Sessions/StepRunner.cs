using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Telemetry;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// One denoising step's call to the model worker, and what a failure of it means for the session: transient ones (a
/// full queue, no worker reachable, a silo that died) back off until their limit (<see cref="StepBackoff"/>); a
/// cancelled call or a stopping silo is no failure at all (the session resumes from its state); anything else fails it.
/// </summary>
/// <param name="step">Sends the call to a model worker (cancellable while it waits).</param>
/// <param name="siloIsStopping">True while this silo shuts down: its outgoing calls then fail for that reason alone.</param>
internal sealed class StepRunner(
    Func<StepCall, CancellationToken, Task<StepReply>> step, Func<bool> siloIsStopping, StepBackoff backoff, ILogger logger, string key)
{
    /// <summary>A step may run now (no back-off window is open).</summary>
    public bool MayStep => backoff.MayStep;

    /// <summary>The loop (re)starts: no back-off is carried over.</summary>
    public void Reset() => backoff.Reset();

    public async Task<StepOutcome> Run(StepCall call, CancellationToken cancellationToken)
    {
        try
        {
            var asked = System.Diagnostics.Stopwatch.GetTimestamp();
            var reply = await step(call, cancellationToken);
            // Real time on purpose: the metric is what an editor waits, whatever clock the service's logic runs on.
            SeedGrainsMetrics.StepLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(asked).TotalSeconds);
            backoff.Succeeded();
            return StepOutcome.Replied(reply);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return StepOutcome.Skipped; // Deactivating: the persisted state resumes the session on its next activation.
        }
        catch (Exception) when (siloIsStopping())
        {
            return StepOutcome.Skipped; // This silo is going away: the session stays "denoising" in storage and resumes elsewhere.
        }
        catch (Exception ex) when (ex is ModelBusyException or ModelUnavailableException || IsClusterTransient(ex))
        {
            // Transient: a full queue, or no worker reachable right now (e.g. a silo just died). Back off, up to a limit.
            if (backoff.TryBackOff(ex is ModelBusyException, out var limit)) return StepOutcome.Skipped;
            var why = ex is ModelBusyException ? "stayed busy" : "stayed unreachable";
            return StepOutcome.Failed($"The model {why} for {limit:0.#} s: {ex.Message}");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Denoising step of session {Key} failed", key);
            return StepOutcome.Failed(ex.Message);
        }
    }

    /// <summary>Failures of the cluster rather than of the model: a silo that died or is not yet known to be dead.</summary>
    private static bool IsClusterTransient(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;
}
