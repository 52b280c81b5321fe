using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// The compute loop's backlog: per priority class, one FIFO per tenant, served round-robin so a tenant with a deep
/// backlog gets one row per turn like everyone else. Interactive rows fill a batch before bulk rows. Used only by the
/// compute thread (not thread-safe).
/// </summary>
internal sealed class FairStepQueue
{
    private readonly Lane[] _lanes = [new Lane(), new Lane()];

    public int Count { get; private set; }

    public void Add(PendingStep step)
    {
        _lanes[step.Call.Priority == SessionPriority.Bulk ? 1 : 0].Add(step);
        Count++;
    }

    /// <summary>Up to <paramref name="max"/> rows, all of one window-length bucket (the bucket of the first row served).</summary>
    public List<PendingStep> TakeBatch(int max)
    {
        var batch = new List<PendingStep>(Math.Min(max, Count));
        int? bucket = null;
        foreach (var lane in _lanes)
            lane.Take(batch, max, ref bucket);
        Count -= batch.Count;
        return batch;
    }

    /// <summary>Everything still queued (for shutdown).</summary>
    public IEnumerable<PendingStep> DrainAll()
    {
        var all = new List<PendingStep>();
        foreach (var lane in _lanes)
            all.AddRange(lane.DrainAll());
        Count = 0;
        return all;
    }

    private sealed class Lane
    {
        private readonly Dictionary<string, Queue<PendingStep>> _byTenant = new(StringComparer.Ordinal);
        // Tenants with queued rows, in serving order; the head is served next.
        private readonly Queue<string> _turns = new();

        public void Add(PendingStep step)
        {
            if (!_byTenant.TryGetValue(step.Call.Tenant, out var queue))
            {
                queue = new Queue<PendingStep>();
                _byTenant.Add(step.Call.Tenant, queue);
                _turns.Enqueue(step.Call.Tenant);
            }
            queue.Enqueue(step);
        }

        public void Take(List<PendingStep> batch, int max, ref int? bucket)
        {
            // Rotate through the tenants, one row per turn; a tenant whose next row is in another bucket keeps its place
            // in the rotation and is skipped. Stop when full or when a whole round took nothing.
            var skippedInARow = 0;
            while (batch.Count < max && _turns.Count > 0 && skippedInARow < _turns.Count)
            {
                var tenant = _turns.Dequeue();
                var queue = _byTenant[tenant];
                var head = queue.Peek();
                if (bucket is null || head.Bucket == bucket)
                {
                    bucket ??= head.Bucket;
                    batch.Add(queue.Dequeue());
                    skippedInARow = 0;
                    if (queue.Count == 0)
                    {
                        _byTenant.Remove(tenant);
                        continue;
                    }
                }
                else
                {
                    skippedInARow++;
                }
                _turns.Enqueue(tenant);
            }
        }

        public IEnumerable<PendingStep> DrainAll()
        {
            var all = _byTenant.Values.SelectMany(q => q).ToList();
            _byTenant.Clear();
            _turns.Clear();
            return all;
        }
    }
}
