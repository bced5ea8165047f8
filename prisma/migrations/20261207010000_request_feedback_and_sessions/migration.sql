-- AlterTable
ALTER TABLE "request_log" ADD COLUMN     "session_id" TEXT;

-- CreateTable
CREATE TABLE "request_feedback" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "request_started_at" TIMESTAMPTZ(3) NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "comment" TEXT,
    "user_id" UUID,
    "api_key_id" UUID,
    "end_user" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "request_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "request_feedback_project_id_request_id_idx" ON "request_feedback"("project_id", "request_id");

-- CreateIndex
CREATE INDEX "request_feedback_project_id_name_created_at_idx" ON "request_feedback"("project_id", "name", "created_at");

-- AddForeignKey
ALTER TABLE "request_feedback" ADD CONSTRAINT "request_feedback_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
