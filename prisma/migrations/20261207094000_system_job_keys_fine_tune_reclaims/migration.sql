-- AlterTable
ALTER TABLE "fine_tune_jobs" ADD COLUMN     "reclaims" INTEGER NOT NULL DEFAULT 0;

-- System jobs (project_id NULL) share one idempotency namespace: the (project_id, idempotency_key) index treats
-- NULLs as distinct, so two processes enqueuing this hour's maintenance would both succeed without this one.
CREATE UNIQUE INDEX "jobs_system_idempotency_key_key" ON "jobs"("idempotency_key") WHERE "project_id" IS NULL;
