-- CreateIndex
CREATE UNIQUE INDEX "request_feedback_project_id_request_id_name_user_id_key" ON "request_feedback"("project_id", "request_id", "name", "user_id");

-- CreateIndex
CREATE INDEX "request_log_project_id_session_id_started_at_idx" ON "request_log"("project_id", "session_id", "started_at");

-- CreateIndex
CREATE INDEX "request_log_project_id_user_id_started_at_idx" ON "request_log"("project_id", "user_id", "started_at");
