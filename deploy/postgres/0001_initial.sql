-- SeedGrains schema, version 1: grain state, cluster membership, reminders.
-- Applied by PostgresMigrator (silo start-up or `seedgrains db migrate`) under an advisory lock and recorded in
-- schema_migrations. Every statement is idempotent, so running this file by hand with psql is also safe.

-- Grain state: one row per (service, grain, state name). The state is the System.Text.Json form of the grain's
-- state object, stored as jsonb so operators can query it. Session grains are keyed "tenant/session"; the tenant
-- column is derived from that key by the database itself, so it can never disagree with grain_id.
CREATE TABLE IF NOT EXISTS grain_state (
    service_id  text        NOT NULL,
    grain_type  text        NOT NULL,
    grain_id    text        NOT NULL,
    state_name  text        NOT NULL,
    tenant      text        GENERATED ALWAYS AS (
                                CASE WHEN strpos(grain_id, '/') > 0 THEN split_part(grain_id, '/', 1) END
                            ) STORED,
    etag        uuid        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    state       jsonb       NOT NULL,
    PRIMARY KEY (service_id, grain_type, grain_id, state_name)
);
CREATE INDEX IF NOT EXISTS grain_state_tenant_idx ON grain_state (tenant, grain_type);

-- Cluster membership (Orleans IMembershipTable). The version row is the table-wide optimistic-concurrency token:
-- every InsertRow/UpdateRow bumps it in the same transaction as the row change.
CREATE TABLE IF NOT EXISTS cluster_membership_version (
    cluster_id  text        PRIMARY KEY,
    version     integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cluster_membership (
    cluster_id      text        NOT NULL REFERENCES cluster_membership_version (cluster_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    role_name       text,
    status          text        NOT NULL,   -- Orleans SiloStatus name: Created, Joining, Active, ShuttingDown, Stopping, Dead
    proxy_port      integer     NOT NULL,   -- gateway port; 0 = not a gateway
    update_zone     integer     NOT NULL DEFAULT 0,
    fault_zone      integer     NOT NULL DEFAULT 0,
    suspect_times   jsonb       NOT NULL DEFAULT '[]',  -- [{"silo": "<silo address>", "at": "<utc time>"}]
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    etag            integer     NOT NULL DEFAULT 0,     -- row version, bumped by every UpdateRow
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Reminders (Orleans IReminderTable). grain_hash is GrainId.GetUniformHashCode() (an unsigned 32-bit value) so that
-- each silo can read its own range of the ring.
CREATE TABLE IF NOT EXISTS reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    bigint      NOT NULL CHECK (grain_hash BETWEEN 0 AND 4294967295),
    start_at      timestamptz NOT NULL,
    period        interval    NOT NULL,
    etag          uuid        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
CREATE INDEX IF NOT EXISTS reminders_ring_idx ON reminders (service_id, grain_hash);
