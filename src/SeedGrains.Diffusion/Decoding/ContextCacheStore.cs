namespace SeedGrains.Diffusion.Decoding;

/// <summary>Least-recently-used store of <see cref="ContextEntry"/>s by row key (e.g. a session id). Not thread-safe.</summary>
internal sealed class ContextCacheStore(int capacity) : IDisposable
{
    readonly Dictionary<string, LinkedListNode<(string Key, ContextEntry Entry)>> byKey = [];
    readonly LinkedList<(string Key, ContextEntry Entry)> recency = new();

    public int Count => byKey.Count;

    public ContextEntry? Get(string key)
    {
        if (!byKey.TryGetValue(key, out var node)) return null;
        recency.Remove(node);
        recency.AddFirst(node);
        return node.Value.Entry;
    }

    public void Put(string key, ContextEntry entry)
    {
        Remove(key);
        byKey[key] = recency.AddFirst((key, entry));
        while (byKey.Count > capacity) Remove(recency.Last!.Value.Key);
    }

    public void Remove(string key)
    {
        if (!byKey.Remove(key, out var node)) return;
        recency.Remove(node);
        node.Value.Entry.Dispose();
    }

    public void Dispose()
    {
        foreach (var node in recency) node.Entry.Dispose();
        recency.Clear();
        byKey.Clear();
    }
}
