using Microsoft.Extensions.Logging;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's slot among its tenant's concurrently denoising sessions, and the tenant's weight for fair batching
/// (read once per slot, so a changed weight applies from the next slot). A release that could not reach the tenant
/// stays pending: the slot would stay taken for good, so the resume reminder retries it.
/// </summary>
/// <param name="acquire">Takes the slot (throws QuotaExceededException over the tenant's quota).</param>
/// <param name="release">Gives the slot back with the tokens generated while holding it.</param>
/// <param name="readWeight">The tenant's current weight.</param>
internal sealed class TenantSlot(Func<Task> acquire, Func<long, Task> release, Func<Task<int>> readWeight, ILogger logger, string tenant, string key)
{
    public bool Held { get; private set; }

    /// <summary>A release is owed to the tenant (it failed, or an earlier activation may have left the slot taken).</summary>
    public bool ReleasePending { get; private set; }

    /// <summary>Tokens committed since the slot was taken (what the tenant charges on release).</summary>
    public long TokensSinceAcquired { get; private set; }

    public int Weight { get; private set; } = 1;

    /// <summary>Takes the slot when <paramref name="needed"/> and not yet held; true when this call took it.</summary>
    public async Task<bool> AcquireIf(bool needed)
    {
        if (!needed || Held) return false;
        await Acquire();
        return true;
    }

    public async Task Acquire()
    {
        await acquire();
        Held = true;
        TokensSinceAcquired = 0;
        await RefreshWeight();
    }

    public void Committed(int tokens) => TokensSinceAcquired += tokens;

    /// <summary>Releasing is idempotent on the tenant: also frees a slot an activation that could not release it left taken.</summary>
    public void OweRelease() => ReleasePending = true;

    /// <summary>Gives the slot back (if held or owed). False when the tenant could not be reached: the release stays pending.</summary>
    public async Task<bool> Release()
    {
        if (!Held && !ReleasePending) return true;
        Held = false;
        try
        {
            await release(TokensSinceAcquired);
            ReleasePending = false;
            TokensSinceAcquired = 0;
            return true;
        }
        catch (Exception ex)
        {
            ReleasePending = true;
            logger.LogWarning(ex, "Releasing the tenant slot of session {Key} failed; the resume reminder retries it", key);
            return false;
        }
    }

    private async Task RefreshWeight()
    {
        try
        {
            Weight = Math.Max(1, await readWeight());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Reading the weight of tenant {Tenant} failed; session {Key} keeps weight {Weight}", tenant, key, Weight);
        }
    }
}
