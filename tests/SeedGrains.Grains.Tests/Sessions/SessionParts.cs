using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

/// <summary>
/// A session's cluster-free parts wired as the grain wires them, with the grain's side (loop, index, tenant, reminder
/// service, storage) replaced by records of what was asked: for <see cref="SessionWriter"/> and <see cref="SessionHandover"/>.
/// </summary>
internal sealed class SessionParts : IDisposable
{
    public static readonly SpecialTokenIds Specials = new(CharTokenizer.Mask, CharTokenizer.Pad, CharTokenizer.End);

    public SessionParts(SessionOptions? options = null)
    {
        Options = options ?? new SessionOptions { CheckpointEverySteps = 1, CheckpointIntervalSeconds = 0 }; // every step checkpoints
        Document = new SessionDocument("s", Time, Options.ChangeLog);
        Watchers = new SessionBroadcaster(Document, Time);
        Checkpointer = new SessionCheckpointer(Store, Options, Time, NullLogger.Instance, "t/s", "s", () => { });
        Reminder = new SessionResumeReminder(Reminders, NullLogger.Instance, "t/s", "s");
        Slot = new TenantSlot(() => QuotaFull ? throw new QuotaExceededException("full") : Add(Acquired, 1L), tokens => Add(Released, tokens),
            () => Task.FromResult(1), NullLogger.Instance, "t", "t/s");
        Usage = new SessionUsageReporter(delta => Add(Reported, delta), _ => Task.CompletedTask, NullLogger.Instance, "t/s");
        Settler = new SessionSettler(Slot, Usage, Checkpointer, Reminder, _ => { }, Options, NullLogger.Instance, "t/s");
        Codec = new SessionStateCodec(new CharTokenizer(), Specials, "fake", Options, NullLogger.Instance, "t/s");
        Writer = new SessionWriter(Document, Checkpointer, Slot, Reminder, Watchers, Usage, Settler, Flags, () => Codec,
            () => LoopStarts++, () => LoopStops++, () => Add(Indexed, Document.Snapshot!.Version), NullLogger.Instance, "t/s");
        Handover = new SessionHandover(Document, Checkpointer, Reminder, Slot, Usage, Writer, Flags, () => Codec, Lock, NullLogger.Instance, "t/s");
    }

    public FakeTimeProvider Time { get; } = new();
    public SessionOptions Options { get; }
    public FakeSessionStateStore Store { get; } = new();
    public FakeResumeReminderRegistry Reminders { get; } = new();
    public List<long> Acquired { get; } = [];
    public List<long> Released { get; } = [];
    public List<UsageDelta> Reported { get; } = [];
    public List<long> Indexed { get; } = [];
    public bool QuotaFull { get; set; }
    public int LoopStarts { get; private set; }
    public int LoopStops { get; private set; }
    public SessionFlags Flags { get; } = new();
    public DocumentLock Lock { get; } = new();
    public SessionDocument Document { get; }
    public SessionBroadcaster Watchers { get; }
    public SessionCheckpointer Checkpointer { get; }
    public SessionResumeReminder Reminder { get; }
    public TenantSlot Slot { get; }
    public SessionUsageReporter Usage { get; }
    public SessionSettler Settler { get; }
    public SessionStateCodec Codec { get; }
    public SessionWriter Writer { get; }
    public SessionHandover Handover { get; }

    /// <summary>"ab" with <paramref name="masks"/> masks inserted after "a".</summary>
    public DocumentCanvas Canvas(int masks) =>
        Codec.Create("ab", masks == 0 ? [] : [new TextRegion(1, 1, MaxTokens: masks)], DecodingResolver.Defaults(Options));

    /// <summary>The model's reply for the document's next step: <paramref name="letter"/> at its first mask.</summary>
    public StepReplyFor NextStep(char letter)
    {
        var window = Document.Canvas!.BuildWindow(64);
        var position = Array.IndexOf(window.Tokens, CharTokenizer.Mask);
        return new StepReplyFor(window, new Abstractions.Workers.StepReply([new Abstractions.Workers.StepCommit(position, CharTokenizer.IdOf(letter), 1f)], 1));
    }

    private static Task Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return Task.CompletedTask;
    }

    public void Dispose() => Lock.Dispose();
}

/// <summary>A step's window and the model's reply to it.</summary>
internal sealed record StepReplyFor(StepWindow Window, Abstractions.Workers.StepReply Reply);
