using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// Key-hash → tenant index entry (the grain key is the SHA-256 hex of the API key). A lookup of a key that belongs to
/// no tenant (unknown or revoked) lets the activation go right after answering: wrong keys, however many, must hold no
/// memory. Assigning the key later simply activates it again from storage.
/// </summary>
public sealed class ApiKeyGrain([PersistentState("apikey", StorageNames.Tenants)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    public Task<string?> GetTenant()
    {
        var tenant = state.State.Tenant;
        if (tenant is null) DeactivateOnIdle();
        return Task.FromResult(tenant);
    }

    public async Task Assign(string tenant)
    {
        if (state.State.Tenant is { } owner && owner != tenant)
            throw new InvalidOperationException("This API key already belongs to another tenant.");
        if (state.State.Tenant == tenant) return;
        state.State.Tenant = tenant;
        await state.WriteStateAsync();
    }

    public async Task Revoke(string tenant)
    {
        if (state.State.Tenant != tenant) return;
        state.State.Tenant = null;
        await state.WriteStateAsync();
        DeactivateOnIdle(); // a revoked key is no longer worth an activation
    }
}
