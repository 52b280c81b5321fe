namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Lets the activation of a session that does not exist go soon: requests for unknown ids (or for a session cleared
/// since) must cost no memory that outlives them. Not at once: concurrent calls for the same unknown id would each meet
/// a deactivating activation and be forwarded until the runtime rejects them (a 500 instead of a 404). One short grace
/// period serves them all.
/// </summary>
/// <param name="scheduleOnce">Runs a callback once after a delay (a grain timer); disposing cancels it.</param>
/// <param name="stillAbsent">Checked when the grace period ends: a session created meanwhile stays.</param>
internal sealed class AbsentSessionExit(Func<Func<Task>, TimeSpan, IDisposable> scheduleOnce, Func<bool> stillAbsent, Action deactivate)
{
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);
    private IDisposable? _pending;

    public void Schedule()
    {
        if (_pending is not null) return;
        _pending = scheduleOnce(() =>
        {
            _pending?.Dispose();
            _pending = null;
            if (stillAbsent()) deactivate();
            return Task.CompletedTask;
        }, Grace);
    }
}
