using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Jobs;

/// <summary>
/// Generates one file of a job through its session (bulk priority) and answers the file's result. The session's key
/// is fixed by the job and the file (<see cref="JobKey.FileSession"/>), so a job that comes back after a failover
/// finds the session already under way (it resumes on its own) and watches it instead of starting the file again.
/// A quota refusal (<see cref="QuotaExceededException"/>) and lost calls are left to the caller to retry; a request the
/// session rejects (e.g. a file over the size limit) is the file's failure. Null: the session was cancelled.
/// </summary>
public static class JobFileRun
{
    public static async Task<JobFileResult?> Run(ISessionGrain session, int index, JobFile file, JobRecord job, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        SessionSnapshot last;
        try
        {
            last = await Attach(session, file, job, cancellationToken);
        }
        catch (InvalidSessionRequestException ex)
        {
            return new JobFileResult(index, JobFileOutcome.Failed, null, 0, ex.Message, time.GetUtcNow());
        }
        await foreach (var update in session.Watch(untilSettled: true, cancellationToken).WithCancellation(cancellationToken))
            last = update.Snapshot;
        // The session's own count: it includes tokens committed before a failover, which this run may not have seen.
        return last.Status switch
        {
            SessionStatus.Idle => new JobFileResult(index, JobFileOutcome.Succeeded, last.Text, last.Generated, null, time.GetUtcNow()),
            SessionStatus.Failed => new JobFileResult(index, JobFileOutcome.Failed, null, 0, last.Error ?? "The model failed on this file.", time.GetUtcNow()),
            _ => null,
        };
    }

    /// <summary>The session's snapshot, after creating it when it does not exist yet.</summary>
    private static async Task<SessionSnapshot> Attach(ISessionGrain session, JobFile file, JobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            return await session.Get();
        }
        catch (SessionNotFoundException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await session.Create(new CreateSessionRequest(file.Text, file.Regions, SessionPriority.Bulk, Transient: false,
                job.MaxTextChars, job.Decoding));
        }
    }
}
