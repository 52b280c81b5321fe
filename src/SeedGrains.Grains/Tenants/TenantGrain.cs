using Orleans.Storage;
using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// Keys, quotas and usage of one tenant. Active sessions are persisted (not just counted in memory) so a tenant
/// activation that is collected and comes back still knows who holds a slot.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Tenants)] IPersistentState<TenantState> state,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    public async Task AddApiKey(string apiKey)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
            throw new ArgumentException("An API key must not be empty.", nameof(apiKey));
        var hash = ApiKeyHash.Of(apiKey);
        // Index first: a key the index knows but the tenant does not is harmless (lookups also check the tenant).
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Assign(this.GetPrimaryKeyString());
        if (state.State.ApiKeyHashes.Add(hash))
            await state.WriteStateAsync();
    }

    public async Task RevokeApiKey(string apiKey)
    {
        var hash = ApiKeyHash.Of(apiKey);
        if (state.State.ApiKeyHashes.Remove(hash))
            await state.WriteStateAsync();
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Revoke(this.GetPrimaryKeyString());
    }

    public async Task SetQuotas(TenantQuotas quotas)
    {
        if (quotas.MaxConcurrentSessions < 1 || quotas.MaxTextChars < 1)
            throw new ArgumentException("Quotas must be positive.", nameof(quotas));
        state.State.Quotas = quotas;
        await state.WriteStateAsync();
    }

    public Task<TenantQuotas> GetQuotas() => Task.FromResult(state.State.Quotas);

    public Task<TenantUsage> GetUsage() => Task.FromResult(
        new TenantUsage(state.State.ActiveSessions.Count, state.State.SessionsStarted, state.State.TokensGenerated));

    public async Task AcquireSessionSlot(string session)
    {
        var s = state.State;
        if (s.ActiveSessions.Contains(session)) return;
        if (s.ActiveSessions.Count >= s.Quotas.MaxConcurrentSessions)
            throw new QuotaExceededException(
                $"Tenant '{this.GetPrimaryKeyString()}' already has {s.ActiveSessions.Count} sessions denoising (quota {s.Quotas.MaxConcurrentSessions}).");
        s.ActiveSessions.Add(session);
        s.SessionsStarted++;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Not granted: undo, so the tenant does not count a slot its session never got.
            s.ActiveSessions.Remove(session);
            s.SessionsStarted--;
            if (ex is OperationCanceledException) throw;
            if (ex is InconsistentStateException)
            {
                DeactivateOnIdle(); // another activation wrote this tenant: reload from storage
                throw;
            }
            logger.LogWarning(ex, "Persisting tenant {Tenant} failed; slot for {Session} not granted", this.GetPrimaryKeyString(), session);
            throw new StorageUnavailableException($"Tenant '{this.GetPrimaryKeyString()}' could not record a session slot (storage did not answer); nothing was changed. Retry later.");
        }
    }

    public async Task ReleaseSessionSlot(string session, long tokensGenerated)
    {
        var s = state.State;
        var removed = s.ActiveSessions.Remove(session);
        s.TokensGenerated += Math.Max(0, tokensGenerated);
        if (removed || tokensGenerated > 0)
            await state.WriteStateAsync();
    }
}
