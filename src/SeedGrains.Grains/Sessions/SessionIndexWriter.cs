namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Group commit for a reentrant grain's state: <see cref="Save"/> returns once a write that began after the caller's
/// change has completed; callers that arrive while a write runs share the next one. Never two writes at once (the
/// storage's ETag would make the second fail).
/// </summary>
internal sealed class SessionIndexWriter(Func<Task> write)
{
    private Task? _running;
    private bool _dirty;

    public async Task Save()
    {
        _dirty = true;
        while (_dirty)
        {
            if (_running is { } running)
            {
                // That write may have started before this change: wait for it, then look again.
                await Quietly(running);
                continue;
            }
            _dirty = false;
            var writing = Run();
            if (!writing.IsCompleted) _running = writing;
            try
            {
                await writing;
            }
            catch
            {
                _dirty = true; // not written: the next change writes it again
                throw;
            }
        }
    }

    /// <summary>Waits until no write runs (whether it succeeded is its caller's to see).</summary>
    public async Task Idle()
    {
        while (_running is { } running) await Quietly(running);
    }

    /// <summary>Clears <see cref="_running"/> before anyone awaiting the write resumes, so they never see a finished one.</summary>
    private async Task Run()
    {
        try
        {
            await write();
        }
        finally
        {
            _running = null;
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch
        {
            // The writer's caller sees the failure; a waiter just tries again.
        }
    }
}
