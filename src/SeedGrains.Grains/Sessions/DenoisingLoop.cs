using Orleans.Storage;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Grains.Telemetry;
using SeedGrains.Grains.Usage;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The denoising loop: one step per tick while the document has masks. The model call runs outside the document lock,
/// so edits, cancels and reads are served meanwhile; its reply is committed under the lock into the masks as they are
/// now (edits may have moved or taken some), unless the document was replaced, suspended or purged meanwhile
/// (<see cref="SessionDocument.Generation"/>).
/// </summary>
/// <param name="prepare">The window and model call for the document as it is now.</param>
/// <param name="commit">Writes a current reply into the document (called under the lock).</param>
/// <param name="fail">Fails the session with the error (called under the lock, while it is still denoising).</param>
/// <param name="startTimer">Starts a repeating tick (a grain timer); disposing stops it.</param>
internal sealed class DenoisingLoop(
    SessionDocument document,
    SemaphoreSlim documentLock,
    StepRunner runner,
    SessionUsageMeter usage,
    Func<DocumentCanvas, (StepWindow Window, StepCall Call)> prepare,
    Func<StepWindow, StepReply, Task> commit,
    Func<string, Task> fail,
    Func<Func<CancellationToken, Task>, IDisposable> startTimer)
{
    private IDisposable? _timer;

    public bool Running => _timer is not null;

    public void Start()
    {
        if (_timer is not null) return;
        runner.Reset();
        _timer = startTimer(Tick);
        SeedGrainsMetrics.SessionsDenoising.Add(1);
    }

    public void Stop()
    {
        if (_timer is null) return;
        _timer.Dispose();
        _timer = null;
        SeedGrainsMetrics.SessionsDenoising.Add(-1);
    }

    public async Task Tick(CancellationToken cancellationToken)
    {
        if (!document.IsDenoising || document.Canvas is not { Masked: > 0 } canvas)
        {
            Stop();
            return;
        }
        if (!runner.MayStep) return;
        var generation = document.Generation;
        var (window, call) = prepare(canvas);
        var outcome = await runner.Run(call, cancellationToken);
        if (outcome.Reply is null && outcome.Failure is null) return;
        if (outcome.Reply is not null) usage.Step(window.Tokens.Length);

        await documentLock.WaitAsync(outcome.Reply is null ? CancellationToken.None : cancellationToken);
        try
        {
            if (outcome.Failure is not null)
            {
                if (document.IsDenoising) await fail(outcome.Failure);
            }
            else if (generation == document.Generation && document.IsDenoising)
            {
                await commit(window, outcome.Reply!);
            }
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote the session: the checkpointer has stopped this one, which goes.
        }
        finally
        {
            documentLock.Release();
        }
    }
}
