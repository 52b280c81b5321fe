using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Workers;

/// <summary>
/// The compute loop's backlog: per priority class, one FIFO per tenant, served by weighted round-robin — on its turn a
/// tenant of weight w gives up to w rows (its <see cref="Abstractions.Workers.StepCall.Weight"/>, default 1), so a tenant
/// with a deep backlog gets its share and no more. A turn cut short by a full batch goes on in the next batch, so the
/// shares hold across batches too. Interactive rows fill a batch before bulk rows — except that after
/// <see cref="BulkBatching.MaxPassOvers"/> batches in a row left bulk rows waiting, the next batch serves them first, so
/// a job keeps a share while interactive sessions keep the model busy. How many bulk rows a batch may carry, and whether
/// beside interactive ones, is the device's <see cref="BulkBatching"/>. Used only by the compute thread (not thread-safe).
/// </summary>
internal sealed class FairStepQueue
{
    private readonly Lane[] _lanes = [new Lane(), new Lane()];

    // Batches in a row that left bulk rows waiting.
    private int _bulkPassedOver;

    public int Count { get; private set; }

    /// <summary>Queued interactive-priority rows.</summary>
    public int InteractiveCount => _lanes[0].Count;

    public void Add(PendingStep step)
    {
        _lanes[step.Call.Priority == SessionPriority.Bulk ? 1 : 0].Add(step);
        Count++;
    }

    /// <summary>Up to <paramref name="max"/> rows, all of one window-length bucket (the bucket of the first row served).</summary>
    public List<PendingStep> TakeBatch(int max, BulkBatching? bulk = null)
    {
        var rules = bulk ?? BulkBatching.Unlimited;
        var batch = new List<PendingStep>(Math.Min(max, Count));
        int? bucket = null;
        if (rules.MaxPassOvers > 0 && _bulkPassedOver >= rules.MaxPassOvers && _lanes[1].Count > 0)
        {
            _lanes[1].Take(batch, Math.Min(max, rules.MaxRows), ref bucket);
            if (rules.BesideInteractive) _lanes[0].Take(batch, max, ref bucket);
        }
        else
        {
            _lanes[0].Take(batch, max, ref bucket);
            if (batch.Count == 0 || rules.BesideInteractive)
                _lanes[1].Take(batch, (int)Math.Min(max, (long)batch.Count + rules.MaxRows), ref bucket);
        }
        var tookBulk = batch.Exists(step => step.Call.Priority == SessionPriority.Bulk);
        _bulkPassedOver = _lanes[1].Count > 0 && !tookBulk ? _bulkPassedOver + 1 : 0;
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

    /// <summary>One tenant's queued rows and what is left of its current turn.</summary>
    private sealed class TenantBacklog
    {
        public Queue<PendingStep> Rows { get; } = new();

        /// <summary>The weight of the tenant's latest row: quotas may change while rows are queued.</summary>
        public int Weight { get; set; } = 1;

        /// <summary>Rows the tenant may still give in its current turn.</summary>
        public int TurnLeft { get; set; }
    }

    private sealed class Lane
    {
        private readonly Dictionary<string, TenantBacklog> _byTenant = new(StringComparer.Ordinal);
        // Tenants with queued rows, in serving order; the head is served next.
        private readonly Queue<string> _turns = new();

        public int Count { get; private set; }

        public void Add(PendingStep step)
        {
            if (!_byTenant.TryGetValue(step.Call.Tenant, out var backlog))
            {
                backlog = new TenantBacklog();
                _byTenant.Add(step.Call.Tenant, backlog);
                _turns.Enqueue(step.Call.Tenant);
            }
            backlog.Weight = Math.Max(1, step.Call.Weight);
            if (backlog.TurnLeft == 0) backlog.TurnLeft = backlog.Weight;
            backlog.Rows.Enqueue(step);
            Count++;
        }

        public void Take(List<PendingStep> batch, int max, ref int? bucket)
        {
            // Serve the head tenant until its turn is used up, then rotate; a tenant whose next row is in another bucket
            // keeps its place (and what is left of its turn) and is skipped. Stop when full or when a whole round took nothing.
            var skippedInARow = 0;
            while (batch.Count < max && _turns.Count > 0 && skippedInARow < _turns.Count)
            {
                var tenant = _turns.Peek();
                var backlog = _byTenant[tenant];
                var head = backlog.Rows.Peek();
                if (bucket is not null && head.Bucket != bucket)
                {
                    skippedInARow++;
                    _turns.Enqueue(_turns.Dequeue());
                    continue;
                }
                bucket ??= head.Bucket;
                batch.Add(backlog.Rows.Dequeue());
                Count--;
                skippedInARow = 0;
                if (backlog.Rows.Count == 0)
                {
                    // An emptied backlog starts a fresh turn when the tenant comes back.
                    _byTenant.Remove(tenant);
                    _turns.Dequeue();
                    continue;
                }
                if (--backlog.TurnLeft > 0) continue;
                backlog.TurnLeft = backlog.Weight;
                _turns.Enqueue(_turns.Dequeue());
            }
        }

        public IEnumerable<PendingStep> DrainAll()
        {
            var all = _byTenant.Values.SelectMany(b => b.Rows).ToList();
            _byTenant.Clear();
            _turns.Clear();
            Count = 0;
            return all;
        }
    }
}
