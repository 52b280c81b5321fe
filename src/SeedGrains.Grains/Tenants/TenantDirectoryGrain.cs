using System.Text;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// The list of tenant ids (one activation cluster-wide). Ids are short and tenants are counted in thousands, not
/// millions, so one sorted set in one row is enough; the cursor is the last id of the previous page, encoded so clients
/// treat it as opaque.
/// </summary>
public sealed class TenantDirectoryGrain([PersistentState("directory", StorageNames.Tenants)] IPersistentState<TenantDirectoryState> state)
    : Grain, ITenantDirectoryGrain
{
    public const int MaxPageSize = 200;

    public async Task Add(string tenant)
    {
        if (state.State.Tenants.Add(tenant)) await state.WriteStateAsync();
    }

    public async Task Remove(string tenant)
    {
        if (state.State.Tenants.Remove(tenant)) await state.WriteStateAsync();
    }

    public Task<TenantDirectoryPage> List(int limit, string? cursor)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var after = Decode(cursor);
        var all = state.State.Tenants;
        IEnumerable<string> view = after is null ? all
            : all.Max is { } max && string.CompareOrdinal(after, max) < 0 ? all.GetViewBetween(after, max) : [];
        var ids = view.Where(id => after is null || string.CompareOrdinal(id, after) > 0).Take(limit + 1).ToList();
        var more = ids.Count > limit;
        if (more) ids.RemoveAt(limit);
        return Task.FromResult(new TenantDirectoryPage(ids, more ? Encode(ids[^1]) : null));
    }

    private static string Encode(string id) => Convert.ToBase64String(Encoding.UTF8.GetBytes(id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        var b64 = cursor.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            throw new ArgumentException("The cursor is not one this service gave out.", nameof(cursor));
        }
    }
}
