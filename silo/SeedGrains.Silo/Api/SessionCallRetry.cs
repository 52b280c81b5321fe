namespace SeedGrains.Silo.Api;

/// <summary>
/// A session call the runtime rejected before it ran is sent again. The case that needs it: a session that does not
/// exist lets its activation go at once ("not found" must cost no memory), so concurrent calls for the same unknown
/// id can be forwarded to that dying activation until the runtime gives up with a rejection. Rejected messages never
/// reached the grain, so sending them again is safe for every method (edits and purges included).
/// </summary>
internal static class SessionCallRetry
{
    private const int Attempts = 3;

    public static async Task<T> Run<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (OrleansMessageRejectionException) when (attempt < Attempts)
            {
            }
        }
    }

    public static Task Run(Func<Task> call) => Run(async () =>
    {
        await call();
        return true;
    });
}
