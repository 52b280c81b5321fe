using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Grains.Jobs;
using SeedGrains.Grains.Model;
using SeedGrains.Grains.Placement;
using SeedGrains.Grains.Sessions;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Hosting;

/// <summary>Silo wiring of the generation service. The host adds grain storage named in <see cref="StorageNames"/> and a <see cref="ModelRuntimeFactory"/>.</summary>
public static class SeedGrainsSiloExtensions
{
    /// <summary>Registers placement, the service's clock (<see cref="SeedGrainsClock"/>), the model runtimes, per-device compute loops, worker registry announcements and options (bound from <paramref name="configuration"/> when given).</summary>
    public static ISiloBuilder AddSeedGrains(this ISiloBuilder silo, IConfiguration? configuration = null)
    {
        var services = silo.Services;
        if (configuration is not null)
        {
            services.Configure<ModelSettings>(configuration.GetSection(ModelSettings.Section));
            services.Configure<BatchingOptions>(configuration.GetSection(BatchingOptions.Section));
            services.Configure<SessionOptions>(configuration.GetSection(SessionOptions.Section));
            services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.Section));
            services.Configure<JobOptions>(configuration.GetSection(JobOptions.Section));
        }
        services.AddOptions<ModelSettings>();
        services.AddOptions<BatchingOptions>();
        services.AddOptions<SessionOptions>()
            .Validate(o => o.StepBudget >= 0, "Sessions:StepBudget must be ≥ 0 (0 = no budget).")
            .Validate(o => o.CommitThreshold is >= 0 and <= 1, "Sessions:CommitThreshold must be between 0 and 1.")
            .Validate(o => o.MaxStepBudget >= 1 && o.StepBudget <= o.MaxStepBudget, "Sessions:MaxStepBudget must be ≥ 1 and ≥ Sessions:StepBudget.")
            .Validate(o => o.BlockSize >= 0 && o.BlockSize <= o.MaxRegionTokens, "Sessions:BlockSize must be in 0..Sessions:MaxRegionTokens (0 = the whole region).")
            .Validate(o => o.EntropyBound > 0 && float.IsFinite(o.EntropyBound), "Sessions:EntropyBound must be > 0.")
            .Validate(o => o.Temperature >= 0 && o.Temperature <= o.MaxTemperature, "Sessions:Temperature must be in [0, Sessions:MaxTemperature].")
            .Validate(o => o.RetentionDays >= 0 && double.IsFinite(o.RetentionDays), "Sessions:RetentionDays must be ≥ 0 (0 = keep for ever).")
            .Validate(o => o.RetentionSweepMinutes > 0 && double.IsFinite(o.RetentionSweepMinutes), "Sessions:RetentionSweepMinutes must be > 0.")
            .ValidateOnStart();
        services.AddOptions<RegistryOptions>();
        services.AddOptions<JobOptions>()
            .Validate(o => o.TickSeconds > 0 && o.ReminderSeconds > 0 && o.MaxAttempts >= 1 && o.MaxConcurrency >= 1, "Jobs: TickSeconds and ReminderSeconds must be > 0, MaxAttempts and MaxConcurrency ≥ 1.")
            .ValidateOnStart();
        // Jobs' files and results: in memory unless the host registers a durable store (PostgreSQL).
        services.TryAddSingleton<IJobStore, MemoryJobStore>();
        services.AddPlacementDirector<ModelWorkerPlacement, ModelWorkerPlacementDirector>();
        // The service's own clock, not the container's TimeProvider (Orleans' timers use that one); tests replace it.
        services.TryAddSingleton(SeedGrainsClock.System);
        services.AddSingleton<ModelRuntimes>();
        services.AddSingleton<DeviceExecutors>();
        services.AddSingleton<LocalModelWorkers>();
        services.AddSingleton<ModelWorkerLocator>();
        services.AddSingleton<WorkerAnnouncer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkerAnnouncer>());
        return silo;
    }
}
