-- Request log: exactly one row per gateway request, partitioned by UTC day, and
-- per-minute / per-hour rollups that the writer keeps in the same statement as
-- each batch (server/modules/request-log). Hand-written: Prisma cannot declare
-- partitioning, partial indexes or functions. The tables are also modelled at
-- the end of schema.prisma so that the migration check stays clean; Prisma's
-- diff ignores partitions (request_log_p*, request_log_default), the partial
-- index and the functions.

-- Instance-wide settings: a single row (id = 1).
CREATE TABLE "request_log_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "retention_days" INTEGER NOT NULL DEFAULT 30,
    "days_ahead" INTEGER NOT NULL DEFAULT 3,
    "rollup_retention_days" INTEGER NOT NULL DEFAULT 400,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "request_log_settings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "request_log_settings_single_row" CHECK ("id" = 1),
    CONSTRAINT "request_log_settings_ranges" CHECK (
        "retention_days" >= 1 AND "days_ahead" BETWEEN 0 AND 60 AND "rollup_retention_days" >= "retention_days"
    )
);
INSERT INTO "request_log_settings" ("id") VALUES (1);

-- The raw log. The primary key must contain the partition key; (id, started_at)
-- also makes retried batches idempotent (INSERT ... ON CONFLICT DO NOTHING).
-- No foreign keys: logging must never fail or block because a project, key or
-- model version was deleted.
CREATE TABLE "request_log" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "api_key_id" UUID,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "requested_model" TEXT,
    "model_id" UUID,
    "model_version_id" UUID,
    "prompt_version_id" UUID,
    "experiment_id" UUID,
    "variant_id" UUID,
    "deployment" TEXT,
    "status" SMALLINT NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "stream" BOOLEAN NOT NULL,
    "latency_ms" REAL NOT NULL,
    "ttft_ms" REAL,
    "tokens_in" INTEGER NOT NULL,
    "tokens_out" INTEGER NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "cache_hit" BOOLEAN NOT NULL,
    "guardrails" JSONB NOT NULL DEFAULT '[]',
    "request_body" JSONB,
    "response_body" JSONB,
    "user_id" TEXT,

    CONSTRAINT "request_log_pkey" PRIMARY KEY ("id", "started_at")
) PARTITION BY RANGE ("started_at");

-- Explorer: newest first per project (keyset on started_at, id), by model
-- version, by API key, and errors only (partial: most rows are not errors, so
-- it costs little on insert; exact status >= 400 filters use it too).
CREATE INDEX "request_log_project_id_started_at_id_idx" ON "request_log"("project_id", "started_at" DESC, "id" DESC);
CREATE INDEX "request_log_model_version_id_started_at_idx" ON "request_log"("model_version_id", "started_at" DESC);
CREATE INDEX "request_log_api_key_id_started_at_idx" ON "request_log"("api_key_id", "started_at" DESC);
CREATE INDEX "request_log_errors_idx" ON "request_log"("project_id", "started_at" DESC) WHERE "status" >= 400;

-- Rows for a day without a partition land here instead of failing; the
-- maintenance function moves them into their day's partition when it creates it.
CREATE TABLE "request_log_default" PARTITION OF "request_log" DEFAULT;

-- Rollups, one row per project, minute (or hour), dimension and value:
--   dimension 'total'   -> every request of the project (dimension_id is the nil UUID)
--   dimension 'model' | 'prompt' | 'variant' | 'key' -> per model version,
--     prompt version, experiment variant or API key (nil UUID: requests without one).
-- One dimension at a time, not their cross product: a project-minute has
-- 1 + #models + #prompts + #variants + #keys rows, however the dimensions
-- combine. Histograms are counts per latency bucket: index 0 is < 1 ms, index
-- i is [2^((i-1)/2), 2^(i/2)) ms, index 37 is >= 2^18 ms (histogram.ts; the
-- bounds are part of the storage format).
CREATE TABLE "request_log_minute" (
    "project_id" UUID NOT NULL,
    "dimension" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "dimension_id" UUID NOT NULL,
    "requests" INTEGER NOT NULL,
    "client_errors" INTEGER NOT NULL,
    "server_errors" INTEGER NOT NULL,
    "tokens_in" BIGINT NOT NULL,
    "tokens_out" BIGINT NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "cache_hits" INTEGER NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_max_ms" REAL NOT NULL,
    "latency_hist" INTEGER[],
    "ttft_hist" INTEGER[],

    CONSTRAINT "request_log_minute_pkey" PRIMARY KEY ("project_id", "dimension", "bucket_start", "dimension_id"),
    CONSTRAINT "request_log_minute_dimension" CHECK ("dimension" IN ('total', 'model', 'prompt', 'variant', 'key'))
);

CREATE TABLE "request_log_hour" (LIKE "request_log_minute" INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE "request_log_hour" ADD CONSTRAINT "request_log_hour_pkey" PRIMARY KEY ("project_id", "dimension", "bucket_start", "dimension_id");

-- The partition of request_log for one UTC day, created if missing. Rows of
-- that day already in the default partition are moved into it first (a
-- partition cannot be added while the default one holds rows of its range).
-- Takes ACCESS EXCLUSIVE on request_log only when it creates something, parent
-- first (the order inserts lock in), so it cannot deadlock with the writer.
CREATE FUNCTION request_log_ensure_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := 'request_log_p' || to_char(day, 'YYYYMMDD');
    lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(quote_ident(part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    LOCK TABLE ONLY request_log IN ACCESS EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM request_log_default WHERE started_at >= lo AND started_at < hi) THEN
        EXECUTE format('CREATE TABLE %I (LIKE request_log INCLUDING DEFAULTS)', part);
        EXECUTE format(
            'WITH moved AS (DELETE FROM request_log_default WHERE started_at >= $1 AND started_at < $2 RETURNING *) '
            'INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
        EXECUTE format('ALTER TABLE request_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF request_log FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    END IF;
    RETURN true;
END
$$;

-- Partition maintenance, run by the app on start and periodically (any number
-- of replicas: an advisory lock serialises them). Creates the partitions of
-- today .. today + days_ahead and of any day within retention whose rows sit in
-- the default partition; drops the partitions of days older than the retention
-- (a day is dropped once all of it is older than retention_days) and purges old
-- default-partition rows and rollups. Arguments override request_log_settings.
CREATE FUNCTION request_log_maintain(
    days_ahead integer DEFAULT NULL,
    retention_days integer DEFAULT NULL,
    today date DEFAULT NULL
) RETURNS TABLE (action text, partition_name text)
LANGUAGE plpgsql AS $$
DECLARE
    s request_log_settings%ROWTYPE;
    day0 date := coalesce(today, (now() AT TIME ZONE 'UTC')::date);
    ahead integer;
    keep integer;
    keep_rollups integer;
    cutoff date;
    cutoff_at timestamptz;
    d date;
    rel text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('switchyard.request_log_maintain'));
    -- Never queue behind a long query while holding up every insert behind us.
    PERFORM set_config('lock_timeout', '10s', true);
    SELECT * INTO s FROM request_log_settings WHERE id = 1;
    ahead := greatest(coalesce(days_ahead, s.days_ahead, 3), 0);
    keep := greatest(coalesce(retention_days, s.retention_days, 30), 1);
    keep_rollups := greatest(coalesce(s.rollup_retention_days, 400), keep);
    cutoff := day0 - keep;
    cutoff_at := cutoff::timestamp AT TIME ZONE 'UTC';

    FOR d IN
        SELECT g::date FROM generate_series(day0, day0 + ahead, interval '1 day') AS g
        UNION
        SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM request_log_default
        WHERE started_at >= cutoff_at AND started_at < (day0 + ahead + 1)::timestamp AT TIME ZONE 'UTC'
        ORDER BY 1
    LOOP
        IF request_log_ensure_partition(d) THEN
            action := 'created';
            partition_name := 'request_log_p' || to_char(d, 'YYYYMMDD');
            RETURN NEXT;
        END IF;
    END LOOP;

    FOR rel IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'request_log'::regclass
          AND c.relname ~ '^request_log_p[0-9]{8}$'
          AND to_date(substr(c.relname, 14), 'YYYYMMDD') < cutoff
        ORDER BY c.relname
    LOOP
        LOCK TABLE ONLY request_log IN ACCESS EXCLUSIVE MODE;
        EXECUTE format('DROP TABLE %I', rel);
        action := 'dropped';
        partition_name := rel;
        RETURN NEXT;
    END LOOP;

    DELETE FROM request_log_default WHERE started_at < cutoff_at;
    DELETE FROM request_log_minute WHERE bucket_start < cutoff_at;
    DELETE FROM request_log_hour WHERE bucket_start < (day0 - keep_rollups)::timestamp AT TIME ZONE 'UTC';
END
$$;

-- A fresh database can take requests at once (the app runs this again on start).
SELECT count(*) FROM request_log_maintain();
