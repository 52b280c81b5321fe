using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// Key-hash → tenant index entry (the grain key is the SHA-256 hex of the API key). A lookup of a key that belongs to
/// no tenant (unknown, revoked or expired) lets the activation go right after answering: wrong keys, however many, must
/// hold no memory. Assigning the key later simply activates it again from storage. There is one activation per key
/// cluster-wide and no silo caches a positive answer, so a revocation holds everywhere as soon as it returns.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Tenants)] IPersistentState<ApiKeyState> state,
    SeedGrainsClock clock,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    /// <summary>"Last used" is written at most this often: a storage write per request would cost more than the request.</summary>
    public static readonly TimeSpan LastUsedWriteInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _lastUsed;

    public Task<string?> GetTenant()
    {
        var tenant = Valid() ? state.State.Tenant : null;
        if (tenant is null) DeactivateOnIdle();
        return Task.FromResult(tenant);
    }

    public async Task<ApiKeyLookup?> Lookup()
    {
        if (!Valid())
        {
            DeactivateOnIdle();
            return null;
        }
        var now = clock.Time.GetUtcNow();
        _lastUsed = now;
        var written = state.State.LastUsedAt;
        if (written is null || now - written >= LastUsedWriteInterval)
        {
            state.State.LastUsedAt = now;
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                // Bookkeeping only: a key must keep working while storage hiccups. The next use tries again.
                state.State.LastUsedAt = written;
                logger.LogWarning(ex, "Recording the last use of key {KeyId} of tenant {Tenant} failed", state.State.KeyId, state.State.Tenant);
            }
        }
        return new ApiKeyLookup(state.State.Tenant!, state.State.Suspended);
    }

    public async Task Assign(string tenant)
    {
        if (state.State.Tenant is { } owner && owner != tenant)
            throw new InvalidOperationException("This API key already belongs to another tenant.");
        if (state.State.Tenant == tenant) return;
        state.State.Tenant = tenant;
        await state.WriteStateAsync();
    }

    public async Task Issue(string tenant, string keyId, DateTimeOffset? expiresAt)
    {
        if (state.State.Tenant is { } owner && owner != tenant)
            throw new InvalidOperationException("This API key already belongs to another tenant.");
        state.State.Tenant = tenant;
        state.State.KeyId = keyId;
        state.State.ExpiresAt = expiresAt;
        await state.WriteStateAsync();
    }

    public async Task Revoke(string tenant)
    {
        if (state.State.Tenant != tenant) return;
        // Cleared, not just emptied: a revoked key leaves no row behind (tenant deletion counts on that too).
        await state.ClearStateAsync();
        _lastUsed = null;
        DeactivateOnIdle(); // a revoked key is no longer worth an activation
    }

    public Task<DateTimeOffset?> GetLastUsed() => Task.FromResult(_lastUsed ?? state.State.LastUsedAt);

    public async Task SetSuspended(string tenant, bool suspended)
    {
        if (state.State.Tenant != tenant || state.State.Suspended == suspended) return;
        state.State.Suspended = suspended;
        await state.WriteStateAsync();
    }

    private bool Valid() =>
        state.State.Tenant is not null && (state.State.ExpiresAt is not { } expires || clock.Time.GetUtcNow() < expires);
}
