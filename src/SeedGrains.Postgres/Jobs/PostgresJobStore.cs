using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using SeedGrains.Abstractions.Jobs;

namespace SeedGrains.Postgres.Jobs;

/// <summary>
/// <see cref="IJobStore"/> on tables jobs and job_files (one row per file), scoped by the cluster's service id like
/// grain_state. A file's result is written with <c>WHERE outcome IS NULL</c>: the first result stands, so a job that
/// resumes on another silo can never record a file twice.
/// </summary>
public sealed class PostgresJobStore(PostgresDatabases databases, IOptionsMonitor<PostgresOptions> options, IOptions<ClusterOptions> cluster) : IJobStore
{
    private PostgresDatabase Database => databases.Get(options.Get(PostgresOptionNames.Jobs));

    private string Service => cluster.Value.ServiceId;

    public Task Create(JobRecord job, IReadOnlyList<JobFile> files, CancellationToken cancellationToken = default) =>
        Database.RunAsync($"create job {job.Tenant}/{job.Id}", async (connection, isRetry, ct) =>
        {
            if (isRetry && await Get(job.Tenant, job.Id, ct) is not null) return true; // the first attempt committed
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var insert = Command(connection, $"""
                INSERT INTO jobs (service_id, {JobRows.JobColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16)
                """, JobValues(job)))
            {
                insert.Transaction = transaction;
                await insert.ExecuteNonQueryAsync(ct);
            }
            // COPY: a job of thousands of files is one round trip, not thousands.
            await using (var writer = await connection.BeginBinaryImportAsync(
                "COPY job_files (service_id, tenant, job_id, idx, path, original, regions) FROM STDIN (FORMAT BINARY)", ct))
            {
                for (var i = 0; i < files.Count; i++)
                {
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(Service, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(job.Tenant, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(job.Id, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(i, NpgsqlDbType.Integer, ct);
                    await writer.WriteAsync(files[i].Path, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(files[i].Text, NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(JobRows.Regions(files[i].Regions), NpgsqlDbType.Jsonb, ct);
                }
                await writer.CompleteAsync(ct);
            }
            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);

    public async Task<JobRecord?> Get(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        var jobs = await Jobs($"SELECT {JobRows.JobColumns} FROM jobs WHERE service_id = $1 AND tenant = $2 AND job_id = $3", [Service, tenant, jobId], cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public Task Update(JobRecord job, CancellationToken cancellationToken = default) => Execute($"update job {job.Tenant}/{job.Id}", """
        UPDATE jobs SET status = $4, started_at = $5, finished_at = $6, active_seconds = $7, active_since = $8, error = $9
        WHERE service_id = $1 AND tenant = $2 AND job_id = $3
        """, [Service, job.Tenant, job.Id, job.Status.ToWire(), JobRows.Value(job.Started), JobRows.Value(job.Finished), job.ActiveSeconds,
            JobRows.Value(job.ActiveSince), JobRows.Value(job.Error)], cancellationToken);

    public Task<IReadOnlyList<JobRecord>> List(string tenant, int limit, CancellationToken cancellationToken = default) =>
        Jobs($"SELECT {JobRows.JobColumns} FROM jobs WHERE service_id = $1 AND tenant = $2 ORDER BY seq DESC LIMIT $3", [Service, tenant, limit], cancellationToken);

    public Task<int> CountActive(string tenant, CancellationToken cancellationToken = default) => Scalar($"count active jobs of {tenant}",
        "SELECT count(*)::int FROM jobs WHERE service_id = $1 AND tenant = $2 AND status IN ('queued', 'running', 'paused')", [Service, tenant],
        row => row.GetInt32(0), cancellationToken);

    public async Task<IReadOnlyList<int>> Pending(string tenant, string jobId, int afterIndex, int limit, CancellationToken cancellationToken = default) =>
        await Rows($"pending files of {tenant}/{jobId}", """
            SELECT idx FROM job_files WHERE service_id = $1 AND tenant = $2 AND job_id = $3 AND idx > $4 AND outcome IS NULL ORDER BY idx LIMIT $5
            """, [Service, tenant, jobId, afterIndex, limit], row => row.GetInt32(0), cancellationToken);

    public async Task<JobFileRecord?> GetFile(string tenant, string jobId, int index, CancellationToken cancellationToken = default)
    {
        var files = await Files(tenant, jobId, index, 1, cancellationToken);
        return files.Count == 1 && files[0].Index == index ? files[0] : null;
    }

    public async Task<IReadOnlyList<JobFileRecord>> Files(string tenant, string jobId, int fromIndex, int limit, CancellationToken cancellationToken = default) =>
        await Rows($"files of {tenant}/{jobId}", $"""
            SELECT {JobRows.FileColumns} FROM job_files WHERE service_id = $1 AND tenant = $2 AND job_id = $3 AND idx >= $4 ORDER BY idx LIMIT $5
            """, [Service, tenant, jobId, fromIndex, limit], JobRows.File, cancellationToken);

    public Task<bool> RecordResult(string tenant, string jobId, JobFileResult result, CancellationToken cancellationToken = default) =>
        Database.RunAsync($"record file {result.Index} of {tenant}/{jobId}", async (connection, _, ct) =>
        {
            // On a retry after a lost connection, "already recorded" may be our own first attempt: the result stands either way.
            await using var command = Command(connection, """
                UPDATE job_files SET outcome = $5, new_text = $6, tokens = $7, error = $8, finished_at = $9
                WHERE service_id = $1 AND tenant = $2 AND job_id = $3 AND idx = $4 AND outcome IS NULL
                """, [Service, tenant, jobId, result.Index, JobRows.Outcome(result.Outcome), JobRows.Value(result.NewText), result.Tokens,
                JobRows.Value(result.Error), result.FinishedAt]);
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }, cancellationToken);

    public Task<JobCounts> Count(string tenant, string jobId, CancellationToken cancellationToken = default) => Scalar($"count results of {tenant}/{jobId}", """
        SELECT count(*) FILTER (WHERE outcome = 'succeeded')::int, count(*) FILTER (WHERE outcome = 'failed')::int,
               coalesce(sum(tokens) FILTER (WHERE outcome = 'succeeded'), 0)::bigint
        FROM job_files WHERE service_id = $1 AND tenant = $2 AND job_id = $3
        """, [Service, tenant, jobId], row => new JobCounts(row.GetInt32(0), row.GetInt32(1), row.GetInt64(2)), cancellationToken);

    private object[] JobValues(JobRecord job) =>
    [
        Service, job.Tenant, job.Id, job.Status.ToWire(), job.FilesUploaded, job.FilesTotal, job.Concurrency, JobRows.Decoding(job.Decoding),
        job.MaxTextChars, job.Created, JobRows.Value(job.Started), JobRows.Value(job.Finished), job.ActiveSeconds, JobRows.Value(job.ActiveSince),
        JobRows.Value(job.Error), JobRows.Value(job.Selection),
    ];

    private async Task<IReadOnlyList<JobRecord>> Jobs(string sql, object[] values, CancellationToken cancellationToken) =>
        await Rows("read jobs", sql, values, JobRows.Job, cancellationToken);

    private Task<List<T>> Rows<T>(string operation, string sql, object[] values, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        Database.RunAsync(operation, async (connection, _, ct) =>
        {
            await using var command = Command(connection, sql, values);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }, cancellationToken);

    private async Task<T> Scalar<T>(string operation, string sql, object[] values, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        (await Rows(operation, sql, values, read, cancellationToken))[0];

    private Task Execute(string operation, string sql, object[] values, CancellationToken cancellationToken) =>
        Database.RunAsync(operation, async (connection, _, ct) =>
        {
            await using var command = Command(connection, sql, values);
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
