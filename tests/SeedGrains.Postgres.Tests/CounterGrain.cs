using Orleans.Runtime;

namespace SeedGrains.Postgres.Tests;

/// <summary>A grain whose only state is persisted with [PersistentState] in the default (PostgreSQL) storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds one and persists before returning.</summary>
    Task<int> Increment();

    /// <summary>The in-memory count (as loaded at activation plus increments).</summary>
    Task<int> Get();

    /// <summary>The silo this activation runs on.</summary>
    Task<string> Silo();
}

/// <summary>Implementation of <see cref="ICounterGrain"/>.</summary>
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<int> Increment()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<int> Get() => Task.FromResult(state.State.Count);

    public Task<string> Silo() => Task.FromResult(RuntimeIdentity);
}
