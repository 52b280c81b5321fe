namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>What all simulated clients counted and measured, thread-safe (clients add from their own tasks).</summary>
internal sealed class CollabTally
{
    private readonly Lock _sync = new();
    private readonly List<double> _ackMs = [];
    private readonly List<int> _modelChangeBytes = [];
    private readonly List<int> _personChangeBytes = [];
    private readonly List<int> _snapshotBytes = [];

    public int Typed;
    public int Sent;
    public int SentWhileDenoising;
    public int Accepted;
    public int Conflicts;
    /// <summary>409s with another title (e.g. "Base version too old").</summary>
    public int OtherRejections;
    /// <summary>Answers other than 200 and 409.</summary>
    public int Errors;
    /// <summary>A client's own edits seen in its change stream (author = its clientId).</summary>
    public int AcknowledgedOnStream;
    /// <summary>Typed edits undone before they were sent (they overlapped another person's change already seen).</summary>
    public int RolledBackUnsent;
    /// <summary>Sent edits the client undid on seeing the overlapping change before its 409 came.</summary>
    public int RolledBackInFlight;

    public void Answered(EditAnswer answer)
    {
        if (answer.Accepted)
        {
            Interlocked.Increment(ref Accepted);
            lock (_sync) _ackMs.Add(answer.Milliseconds);
        }
        else if (answer.IsConflict) Interlocked.Increment(ref Conflicts);
        else if (answer.Status == 409) Interlocked.Increment(ref OtherRejections);
        else Interlocked.Increment(ref Errors);
    }

    public void Frame(SseFrame frame, bool byModel)
    {
        lock (_sync)
        {
            if (frame.Event == "snapshot") _snapshotBytes.Add(frame.Bytes);
            else if (byModel) _modelChangeBytes.Add(frame.Bytes);
            else _personChangeBytes.Add(frame.Bytes);
        }
    }

    /// <summary>Times of the 200 answers (POST to the whole answer read).</summary>
    public IReadOnlyList<double> AcknowledgedMs { get { lock (_sync) return _ackMs.ToList(); } }
    public IReadOnlyList<int> ModelChangeBytes { get { lock (_sync) return _modelChangeBytes.ToList(); } }
    public IReadOnlyList<int> PersonChangeBytes { get { lock (_sync) return _personChangeBytes.ToList(); } }
    public IReadOnlyList<int> SnapshotBytes { get { lock (_sync) return _snapshotBytes.ToList(); } }
}
