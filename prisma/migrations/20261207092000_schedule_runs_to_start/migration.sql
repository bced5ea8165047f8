-- The tick looks every second for started runs whose job is not made yet: a partial index keeps that lookup
-- to the few such rows, however long the run history grows.
CREATE INDEX "schedule_runs_to_start_idx" ON "schedule_runs"("scheduled_for") WHERE "outcome" = 'started' AND "job_id" IS NULL;
