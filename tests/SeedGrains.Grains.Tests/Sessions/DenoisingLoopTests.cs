using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Workers;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Usage;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class DenoisingLoopTests
{
    private static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);
    private static readonly StepReply Reply = new([new StepCommit(1, CharTokenizer.IdOf('b'), 1f)], 1);
    private readonly SessionDocument _document = new("s");
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly SessionUsageMeter _usage = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<StepReply> _committed = [];
    private readonly List<string> _failed = [];
    private Func<Task<StepReply>> _step = () => Task.FromResult(Reply);
    private Func<Task> _onCommit = () => Task.CompletedTask;
    private int _calls;
    private int _timers;
    private bool _lockHeldInCallbacks = true;

    public DenoisingLoopTests() =>
        _document.Start(DocumentCanvas.Create("a", [new TextRegion(1, 1, MaxTokens: 2)], new CharTokenizer(), Specials, new SessionOptions()),
            1, SessionStatus.Denoising);

    private DenoisingLoop Loop() => new(_document, _lock,
        new StepRunner((_, _) => { _calls++; return _step(); }, () => false,
            new StepBackoff(_time, new SessionOptions { BusyTimeoutSeconds = 1 }), NullLogger.Instance, "t/s"),
        _usage,
        canvas =>
        {
            var window = canvas.BuildWindow(16);
            return (window, new StepCall("t", "s", SessionPriority.Interactive, window.Tokens, new StepPolicy(), 1, 1));
        },
        async (_, reply) =>
        {
            _lockHeldInCallbacks &= _lock.CurrentCount == 0;
            _committed.Add(reply);
            await _onCommit();
        },
        error =>
        {
            _lockHeldInCallbacks &= _lock.CurrentCount == 0;
            _failed.Add(error);
            return Task.CompletedTask;
        },
        _ =>
        {
            _timers++;
            return new NoTimer();
        });

    [Fact]
    public async Task A_reply_for_the_unchanged_document_is_committed_under_the_lock()
    {
        await Loop().Tick(default);

        Assert.Equal([Reply], _committed);
        Assert.True(_lockHeldInCallbacks);
        Assert.Equal(1, _lock.CurrentCount);
        Assert.Equal(1, _usage.Take()!.Steps);
    }

    [Fact]
    public async Task A_reply_for_a_document_suspended_while_the_step_ran_is_discarded()
    {
        var reply = new TaskCompletionSource<StepReply>();
        _step = () => reply.Task;
        var tick = Loop().Tick(default);
        _document.DiscardStepsInFlight(); // the tenant was suspended while the model worked
        reply.SetResult(Reply);
        await tick;

        Assert.Empty(_committed);
        Assert.Equal(1, _lock.CurrentCount);
    }

    [Fact]
    public async Task A_failed_step_fails_the_session_under_the_lock()
    {
        _step = () => throw new InvalidOperationException("weights are broken");
        await Loop().Tick(default);

        Assert.Equal(["weights are broken"], _failed);
        Assert.True(_lockHeldInCallbacks);
        Assert.Empty(_committed);
    }

    [Fact]
    public async Task No_call_is_made_while_backing_off_nor_once_nothing_is_left_to_denoise()
    {
        _step = () => throw new ModelBusyException("queue full");
        var loop = Loop();
        await loop.Tick(default);
        await loop.Tick(default); // inside the back-off window
        Assert.Equal(1, _calls);
        Assert.Empty(_failed);

        loop.Start();
        Assert.True(loop.Running);
        _document.Purging(); // not denoising any more
        await loop.Tick(default);
        Assert.False(loop.Running);
        Assert.Equal(1, _timers);
    }

    [Fact]
    public async Task An_ETag_conflict_while_committing_ends_the_tick_quietly_and_frees_the_lock()
    {
        _onCommit = () => throw new InconsistentStateException("another activation wrote it", "a", "b");
        await Loop().Tick(default);
        Assert.Equal(1, _lock.CurrentCount);
    }

    private sealed class NoTimer : IDisposable
    {
        public void Dispose() { }
    }
}
