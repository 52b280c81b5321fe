using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>Key-hash → tenant index entry (the grain key is the SHA-256 hex of the API key).</summary>
public sealed class ApiKeyGrain([PersistentState("apikey", StorageNames.Tenants)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    public Task<string?> GetTenant() => Task.FromResult(state.State.Tenant);

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
    }
}
