using Orleans.Storage;
using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// Keys, quotas and usage of one tenant. Active sessions are persisted (not just counted in memory) so a tenant
/// activation that is collected and comes back still knows who holds a slot.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Tenants)] IPersistentState<TenantState> state,
    SeedGrainsClock clock,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private string Id => this.GetPrimaryKeyString();

    /// <summary>Created through the admin API, or (before it existed, and for the seeded dev tenant) by a first key.</summary>
    private bool Exists => !state.State.Deleting && (state.State.CreatedAt is not null || state.State.ApiKeyHashes.Count > 0);

    public async Task AddApiKey(string apiKey)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
            throw new ArgumentException("An API key must not be empty.", nameof(apiKey));
        ThrowIfDeleting();
        var hash = ApiKeyHash.Of(apiKey);
        // Index first: a key the index knows but the tenant does not is harmless (lookups also check the tenant).
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Assign(Id);
        if (state.State.Status == TenantStatus.Suspended)
            await GrainFactory.GetGrain<IApiKeyGrain>(hash).SetSuspended(Id, true);
        var added = state.State.ApiKeyHashes.Add(hash);
        if (!state.State.Keys.Values.Any(k => k.Hash == hash))
        {
            state.State.Keys[NewKeyId()] = new ApiKeyEntry { Hash = hash, Prefix = Prefix(apiKey), CreatedAt = clock.Time.GetUtcNow() };
            added = true;
        }
        var created = state.State.CreatedAt is null;
        state.State.CreatedAt ??= clock.Time.GetUtcNow();
        if (added || created) await state.WriteStateAsync();
        if (created) await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).Add(Id);
    }

    public async Task RevokeApiKey(string apiKey)
    {
        var hash = ApiKeyHash.Of(apiKey);
        var removed = state.State.ApiKeyHashes.Remove(hash);
        foreach (var id in state.State.Keys.Where(k => k.Value.Hash == hash).Select(k => k.Key).ToList())
            removed |= state.State.Keys.Remove(id);
        if (removed) await state.WriteStateAsync();
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Revoke(Id);
    }

    public async Task<TenantInfo> Create(TenantQuotas quotas)
    {
        ValidateQuotas(quotas);
        if (Exists || state.State.Deleting) throw new TenantExistsException($"Tenant '{Id}' already exists.");
        state.State.CreatedAt = clock.Time.GetUtcNow();
        state.State.Quotas = quotas;
        state.State.Status = TenantStatus.Active;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).Add(Id);
        return Info();
    }

    public Task<TenantInfo> GetInfo()
    {
        ThrowIfMissing();
        return Task.FromResult(Info());
    }

    public async Task<TenantInfo> SetStatus(TenantStatus status)
    {
        ThrowIfMissing();
        if (state.State.Status != status)
        {
            state.State.Status = status;
            await state.WriteStateAsync();
        }
        // Every time, not only on a change: a retry after a partial failure reaches the keys it missed.
        var suspended = status == TenantStatus.Suspended;
        await Task.WhenAll(state.State.ApiKeyHashes.Select(h => GrainFactory.GetGrain<IApiKeyGrain>(h).SetSuspended(Id, suspended)));
        // Not the sessions: see TenantSuspension, which tells them after this turn.
        return Info();
    }

    public Task<IReadOnlyList<string>> GetDenoisingSessions() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ActiveSessions.Order(StringComparer.Ordinal).ToList());

    public async Task<IssuedApiKey> CreateApiKey(string? name, DateTimeOffset? expiresAt)
    {
        ThrowIfMissing();
        if (expiresAt is { } expires && expires <= clock.Time.GetUtcNow())
            throw new ArgumentException("expiresAt must be in the future.", nameof(expiresAt));
        var secret = ApiKeyHash.NewKey();
        var hash = ApiKeyHash.Of(secret);
        var id = NewKeyId();
        var entry = new ApiKeyEntry { Hash = hash, Name = name, Prefix = Prefix(secret), CreatedAt = clock.Time.GetUtcNow(), ExpiresAt = expiresAt };
        var key = GrainFactory.GetGrain<IApiKeyGrain>(hash);
        await key.Issue(Id, id, expiresAt);
        if (state.State.Status == TenantStatus.Suspended) await key.SetSuspended(Id, true);
        state.State.ApiKeyHashes.Add(hash);
        state.State.Keys[id] = entry;
        await state.WriteStateAsync();
        return new IssuedApiKey(ToInfo(id, entry, lastUsed: null), secret);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeys()
    {
        ThrowIfMissing();
        var keys = state.State.Keys.OrderBy(k => k.Value.CreatedAt).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        var lastUsed = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IApiKeyGrain>(k.Value.Hash).GetLastUsed()));
        return keys.Select((k, i) => ToInfo(k.Key, k.Value, lastUsed[i])).ToList();
    }

    public async Task RevokeApiKeyById(string keyId)
    {
        ThrowIfMissing();
        if (!state.State.Keys.TryGetValue(keyId, out var entry))
            throw new TenantNotFoundException($"Tenant '{Id}' has no API key '{keyId}'.");
        // The index entry first: from the moment it is cleared the key is refused on every silo.
        await GrainFactory.GetGrain<IApiKeyGrain>(entry.Hash).Revoke(Id);
        state.State.Keys.Remove(keyId);
        state.State.ApiKeyHashes.Remove(entry.Hash);
        await state.WriteStateAsync();
    }

    public async Task<TenantDeletionPlan> BeginDelete()
    {
        if (!Exists && !state.State.Deleting) throw new TenantNotFoundException($"No tenant '{Id}'.");
        var hashes = state.State.ApiKeyHashes.Union(state.State.Keys.Values.Select(k => k.Hash), StringComparer.Ordinal).ToList();
        if (!state.State.Deleting)
        {
            state.State.Deleting = true;
            await state.WriteStateAsync();
        }
        await Task.WhenAll(hashes.Select(h => GrainFactory.GetGrain<IApiKeyGrain>(h).Revoke(Id)));
        return new TenantDeletionPlan(state.State.ActiveSessions.ToList(), hashes);
    }

    public async Task CompleteDelete()
    {
        await GrainFactory.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).Remove(Id);
        await state.ClearStateAsync();
        state.State = new TenantState();
        DeactivateOnIdle();
    }

    public async Task SetQuotas(TenantQuotas quotas)
    {
        ValidateQuotas(quotas);
        state.State.Quotas = quotas;
        await state.WriteStateAsync();
        // The rate limiter re-reads quotas every few seconds; tell it now, so new limits apply to the next request.
        // Best effort: the stored quotas are the truth, and the limiter catches up by itself if this call fails.
        try
        {
            await GrainFactory.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(this.GetPrimaryKeyString())).Configure(quotas);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Telling tenant {Tenant}'s rate limiter of its new quotas failed; it re-reads them within seconds", this.GetPrimaryKeyString());
        }
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
        // A tenant that no longer exists (deleted meanwhile) must not get a row back.
        if ((removed || tokensGenerated > 0) && state.RecordExists)
            await state.WriteStateAsync();
    }

    private TenantInfo Info() => new(Id, state.State.Status, state.State.CreatedAt ?? DateTimeOffset.UnixEpoch, state.State.Quotas,
        new TenantUsage(state.State.ActiveSessions.Count, state.State.SessionsStarted, state.State.TokensGenerated));

    private static ApiKeyInfo ToInfo(string id, ApiKeyEntry e, DateTimeOffset? lastUsed) => new(id, e.Name, e.Prefix, e.CreatedAt, lastUsed, e.ExpiresAt);

    private static string NewKeyId() => "key_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>Enough of the secret to tell keys apart in a list, far too little to guess the rest (it has 256 random bits).</summary>
    private static string Prefix(string secret) => secret[..Math.Min(8, secret.Length)];

    private void ThrowIfMissing()
    {
        if (!Exists) throw new TenantNotFoundException($"No tenant '{Id}'.");
    }

    private void ThrowIfDeleting()
    {
        if (state.State.Deleting) throw new TenantNotFoundException($"Tenant '{Id}' is being deleted.");
    }

    internal static void ValidateQuotas(TenantQuotas quotas)
    {
        if (quotas.MaxConcurrentSessions < 1 || quotas.MaxTextChars < 1 || quotas.MaxStoredSessions < 1 || quotas.Weight < 1)
            throw new ArgumentException("Quotas must be positive (maxConcurrentSessions, maxTextChars, maxStoredSessions, weight).", nameof(quotas));
        if (quotas.TokensPerMinute < 0 || quotas.RequestsPerMinute < 0)
            throw new ArgumentException("Rates must be 0 (unlimited) or more.", nameof(quotas));
    }
}
