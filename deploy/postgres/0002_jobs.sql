-- SeedGrains schema, version 2: refactor jobs. Applied like 0001 (PostgresMigrator, recorded in schema_migrations);
-- every statement is idempotent.

-- One row per job: its status, clock and settings. The files and their results are in job_files, so a job of
-- thousands of files never loads as one value. decoding is the job's decoding request (System.Text.Json, camelCase).
CREATE TABLE IF NOT EXISTS jobs (
    service_id     text             NOT NULL,
    tenant         text             NOT NULL,
    job_id         text             NOT NULL,
    seq            bigserial,                   -- submission order (newest first in listings)
    status         text             NOT NULL,   -- queued, running, paused, succeeded, failed, cancelled
    files_uploaded integer          NOT NULL,
    files_total    integer          NOT NULL,
    concurrency    integer          NOT NULL,
    max_text_chars integer          NOT NULL,
    decoding       jsonb,
    selection      text,
    created_at     timestamptz      NOT NULL,
    started_at     timestamptz,
    finished_at    timestamptz,
    active_seconds double precision NOT NULL DEFAULT 0,
    active_since   timestamptz,
    error          text,
    PRIMARY KEY (service_id, tenant, job_id)
);
CREATE INDEX IF NOT EXISTS jobs_tenant_seq_idx ON jobs (service_id, tenant, seq DESC);

-- One row per file of a job: what was submitted (path, text, regions as [[start, end], …]) and, once it landed, its
-- result. outcome is NULL until then; the job grain writes it with "WHERE outcome IS NULL", so each file gets exactly
-- one result even when a job resumes on another silo after a failover.
CREATE TABLE IF NOT EXISTS job_files (
    service_id  text        NOT NULL,
    tenant      text        NOT NULL,
    job_id      text        NOT NULL,
    idx         integer     NOT NULL,
    path        text        NOT NULL,
    original    text        NOT NULL,
    regions     jsonb       NOT NULL,
    outcome     text,                   -- NULL (pending), succeeded, failed
    new_text    text,
    tokens      bigint      NOT NULL DEFAULT 0,
    error       text,
    finished_at timestamptz,
    PRIMARY KEY (service_id, tenant, job_id, idx),
    FOREIGN KEY (service_id, tenant, job_id) REFERENCES jobs (service_id, tenant, job_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS job_files_pending_idx ON job_files (service_id, tenant, job_id, idx) WHERE outcome IS NULL;
