using System.Globalization;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Silo.Api;

/// <summary>
/// One delta-stream event as SSE: <c>snapshot</c> (the whole state, as GET), <c>change</c> (a version's ops, author,
/// editId, status and regions) — both with the version as <c>id</c>, so a reconnect resumes with Last-Event-ID — and
/// <c>presence</c> (no id: a reconnect must not resume from it).
/// </summary>
internal static class SessionEventWriter
{
    public static Task Write(HttpResponse response, SessionEvent e) => e.Kind switch
    {
        SessionEventKind.Snapshot => ServerSentEvents.Write(response, SessionView.From(e.Snapshot!), "snapshot", Id(e)),
        SessionEventKind.Change => ServerSentEvents.Write(response, ChangeEventView.From(e), "change", Id(e)),
        SessionEventKind.Presence => ServerSentEvents.Write(response, PresenceEventView.From(e.Presence!), "presence"),
        _ => Task.CompletedTask,
    };

    private static string Id(SessionEvent e) => e.Version.ToString(CultureInfo.InvariantCulture);
}
