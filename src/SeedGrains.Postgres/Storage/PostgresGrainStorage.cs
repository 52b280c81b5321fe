using SeedGrains.Abstractions.Errors;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace SeedGrains.Postgres.Storage;

/// <summary>
/// Orleans grain storage in table <c>grain_state</c>: one row per (service, grain type, grain key, state name), the
/// state as jsonb, optimistic concurrency through a uuid ETag. ETags are generated here rather than by the database
/// so that a write retried after a dropped connection can tell "my first attempt committed" from "someone else wrote".
/// A write returns only after PostgreSQL has committed it (synchronous_commit as configured on the server).
/// </summary>
public sealed class PostgresGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly PostgresDatabase _database;
    private readonly JsonSerializerOptions _json;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;

    /// <summary>Creates the storage; <paramref name="name"/> is the provider name grains refer to.</summary>
    public PostgresGrainStorage(string name, PostgresOptions options, PostgresDatabases databases,
        IOptions<ClusterOptions> clusterOptions, IActivatorProvider activators, ILogger<PostgresGrainStorage> logger)
    {
        options.Validate($"grain storage '{name}'");
        _name = name;
        _serviceId = clusterOptions.Value.ServiceId;
        _database = databases.Get(options);
        _json = options.StateJsonOptions ?? GrainStateJson.DefaultOptions;
        _activators = activators;
        _logger = logger;
    }

    /// <summary>Factory for <c>AddGrainStorage</c>: resolves the named <see cref="PostgresOptions"/>.</summary>
    public static PostgresGrainStorage Create(IServiceProvider services, string name) =>
        ActivatorUtilities.CreateInstance<PostgresGrainStorage>(services, name,
            services.GetRequiredService<IOptionsMonitor<PostgresOptions>>().Get(PostgresOptionNames.Storage(name)));

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        RunGuarded($"read {Describe(stateName, grainId)}", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT etag, state::text FROM grain_state WHERE service_id = $1 AND grain_type = $2 AND grain_id = $3 AND state_name = $4",
                connection);
            AddKey(command, stateName, grainId);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                grainState.State = CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return true;
            }

            var etag = reader.GetGuid(0).ToString();
            var json = reader.GetString(1);
            grainState.State = Deserialize<T>(json, stateName, grainId);
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var json = Serialize(grainState.State, stateName, grainId);
        var expected = ParseETag(grainState.ETag, stateName, grainId);
        var next = Guid.CreateVersion7();
        return RunGuarded($"write {Describe(stateName, grainId)}", async (connection, isRetry, ct) =>
        {
            await using var command = new NpgsqlCommand(expected is null
                ? """
                  INSERT INTO grain_state (service_id, grain_type, grain_id, state_name, etag, state)
                  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                  """
                : """
                  UPDATE grain_state SET etag = $5, state = $6, updated_at = now()
                  WHERE service_id = $1 AND grain_type = $2 AND grain_id = $3 AND state_name = $4 AND etag = $7
                  """, connection);
            AddKey(command, stateName, grainId);
            command.Parameters.Add(new NpgsqlParameter { Value = next });
            command.Parameters.Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
            if (expected is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = expected.Value });
            }

            int rows;
            try
            {
                rows = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is "22P05" or "22021")
            {
                throw new InvalidOperationException(
                    $"Grain state {Describe(stateName, grainId)} ({typeof(T).Name}) cannot be stored as jsonb: {e.MessageText}. " +
                    "jsonb cannot hold the NUL character (\\u0000) in strings.", e);
            }

            if (rows == 0)
            {
                var stored = await ReadETagAsync(connection, stateName, grainId, ct).ConfigureAwait(false);
                // A retry whose first attempt committed finds its own new ETag: that is success, not a conflict.
                if (!(isRetry && stored == next))
                {
                    throw Conflict("write", stateName, grainId, stored, grainState.ETag);
                }
            }

            grainState.ETag = next.ToString();
            grainState.RecordExists = true;
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var expected = ParseETag(grainState.ETag, stateName, grainId);
        return RunGuarded($"clear {Describe(stateName, grainId)}", async (connection, isRetry, ct) =>
        {
            if (expected is null)
            {
                // Nothing was ever written from this activation's point of view: only fine if the row is still absent.
                var stored = await ReadETagAsync(connection, stateName, grainId, ct).ConfigureAwait(false);
                if (stored is not null)
                {
                    throw Conflict("clear", stateName, grainId, stored, null);
                }
            }
            else
            {
                await using var command = new NpgsqlCommand(
                    "DELETE FROM grain_state WHERE service_id = $1 AND grain_type = $2 AND grain_id = $3 AND state_name = $4 AND etag = $5",
                    connection);
                AddKey(command, stateName, grainId);
                command.Parameters.Add(new NpgsqlParameter { Value = expected.Value });
                if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                {
                    var stored = await ReadETagAsync(connection, stateName, grainId, ct).ConfigureAwait(false);
                    // On a retry a missing row is our own first attempt's delete.
                    if (!(isRetry && stored is null))
                    {
                        throw Conflict("clear", stateName, grainId, stored, grainState.ETag);
                    }
                }
            }

            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(PostgresGrainStorage)}-{_name}", ServiceLifecycleStage.ApplicationServices,
            ct => _database.EnsureSchemaAsync(ct));

    /// <summary>The key of <paramref name="grainId"/> as stored in grain_id: for session grains "tenant/session".</summary>
    public static string StoredGrainKey(GrainId grainId) => grainId.Key.ToString()!;

    private void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = grainId.Type.ToString()! });
        command.Parameters.Add(new NpgsqlParameter { Value = StoredGrainKey(grainId) });
        command.Parameters.Add(new NpgsqlParameter { Value = stateName });
    }

    /// <summary>
    /// Runs storage work; a database that cannot be reached (after <see cref="PostgresDatabase.RunAsync{T}"/>'s own
    /// retry) becomes <see cref="StorageUnavailableException"/>, which the HTTP API answers with 503.
    /// </summary>
    private async Task RunGuarded(string operation, Func<NpgsqlConnection, bool, CancellationToken, Task<bool>> work, CancellationToken cancellationToken)
    {
        try
        {
            await _database.RunAsync(operation, work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ConnectionFailures.IsConnectionFailure(e) || e is TimeoutException || e is NpgsqlException { IsTransient: true })
        {
            throw new StorageUnavailableException($"PostgreSQL did not answer during {operation}: {e.Message}", e);
        }
    }

    private async Task<Guid?> ReadETagAsync(NpgsqlConnection connection, string stateName, GrainId grainId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT etag FROM grain_state WHERE service_id = $1 AND grain_type = $2 AND grain_id = $3 AND state_name = $4", connection);
        AddKey(command, stateName, grainId);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as Guid?;
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, Guid? stored, string? current)
    {
        _logger.LogWarning("ETag conflict on {Operation} of {State}: stored {Stored}, grain has {Current}",
            operation, Describe(stateName, grainId), stored?.ToString() ?? "(none)", current ?? "(none)");
        return new InconsistentStateException(
            $"Grain storage '{_name}': {operation} of {Describe(stateName, grainId)} rejected; stored ETag {stored?.ToString() ?? "(none)"}, grain has {current ?? "(none)"}.",
            stored?.ToString() ?? "", current ?? "");
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    private string Serialize<T>(T state, string stateName, GrainId grainId)
    {
        try
        {
            return JsonSerializer.Serialize(state, _json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Grain state {Describe(stateName, grainId)} of type {typeof(T).FullName} cannot be serialized to JSON: {e.Message}", e);
        }
    }

    private T Deserialize<T>(string json, string stateName, GrainId grainId)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, _json) ?? CreateInstance<T>();
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Stored state {Describe(stateName, grainId)} in grain_state cannot be read as {typeof(T).FullName}: {e.Message}", e);
        }
    }

    private static Guid? ParseETag(string? etag, string stateName, GrainId grainId)
    {
        if (etag is null)
        {
            return null;
        }

        return Guid.TryParse(etag, out var guid)
            ? guid
            : throw new InconsistentStateException($"ETag '{etag}' of {Describe(stateName, grainId)} was not issued by PostgreSQL grain storage.", "", etag);
    }

    private static string Describe(string stateName, GrainId grainId) => $"'{stateName}' of grain {grainId}";
}
