-- CreateTable
CREATE TABLE "gateway_responses" (
    "id" TEXT NOT NULL,
    "project_id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "messages" JSONB NOT NULL,
    "input_items" JSONB NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gateway_responses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gateway_responses_project_id_idx" ON "gateway_responses"("project_id");

-- CreateIndex
CREATE INDEX "gateway_responses_expires_at_idx" ON "gateway_responses"("expires_at");

-- AddForeignKey
ALTER TABLE "gateway_responses" ADD CONSTRAINT "gateway_responses_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Stored responses live as long as the request log's raw rows: past their expires_at (set from the retention when
-- stored), or older than the retention now says (it may have been shortened since). The request log's maintenance
-- runs this; psql, cron or pg_cron can too.
CREATE FUNCTION gateway_responses_purge(keep_days integer DEFAULT NULL) RETURNS bigint
LANGUAGE sql AS $$
    WITH purged AS (
        DELETE FROM gateway_responses
        WHERE expires_at <= now()
           OR created_at < now() - make_interval(days => greatest(coalesce(
                keep_days, (SELECT s.retention_days FROM request_log_settings s WHERE s.id = 1), 30), 1))
        RETURNING 1
    )
    SELECT count(*) FROM purged
$$;
