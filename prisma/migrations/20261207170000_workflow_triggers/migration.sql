-- AlterTable
ALTER TABLE "workflow_runs" ADD COLUMN     "outputs" JSONB,
ADD COLUMN     "trigger_key" TEXT;

-- AlterTable
ALTER TABLE "workflow_versions" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "workflows" ADD COLUMN     "events_cursor" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "schedule_cursor" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE UNIQUE INDEX "workflow_runs_workflow_id_trigger_key_key" ON "workflow_runs"("workflow_id", "trigger_key");
