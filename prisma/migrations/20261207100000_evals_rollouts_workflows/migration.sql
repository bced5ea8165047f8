-- CreateTable
CREATE TABLE "evaluators" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluator_versions" (
    "id" UUID NOT NULL,
    "evaluator_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "threshold" DOUBLE PRECISION,
    "negate" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" UUID,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluator_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eval_runs" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "dataset_version_id" UUID NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "baseline_run_id" UUID,
    "total_cases" INTEGER NOT NULL DEFAULT 0,
    "done_cases" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "eval_cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "summary" JSONB,
    "error" TEXT,
    "job_id" UUID,
    "api_key_id" UUID,
    "created_by_id" UUID,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "eval_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eval_targets" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "prompt_version_id" UUID,
    "model_version_id" UUID,
    "model" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "summary" JSONB,

    CONSTRAINT "eval_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eval_results" (
    "run_id" UUID NOT NULL,
    "target_id" UUID NOT NULL,
    "case_index" INTEGER NOT NULL,
    "trial" INTEGER NOT NULL DEFAULT 0,
    "input" JSONB NOT NULL,
    "expected" JSONB,
    "output" TEXT,
    "error" TEXT,
    "scores" JSONB NOT NULL DEFAULT '[]',
    "score" DOUBLE PRECISION,
    "passed" BOOLEAN,
    "latency_ms" REAL,
    "tokens_in" INTEGER NOT NULL DEFAULT 0,
    "tokens_out" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "eval_cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "eval_results_pkey" PRIMARY KEY ("target_id","case_index","trial")
);

-- CreateTable
CREATE TABLE "release_policies" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "require_passing_eval" BOOLEAN NOT NULL DEFAULT true,
    "max_age_hours" INTEGER NOT NULL DEFAULT 168,
    "dataset_version_id" UUID,
    "thresholds" JSONB NOT NULL DEFAULT '[]',
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "release_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "stable_version_id" UUID NOT NULL,
    "candidate_version_id" UUID NOT NULL,
    "salt" TEXT NOT NULL,
    "steps" JSONB NOT NULL,
    "analysis" JSONB NOT NULL DEFAULT '{}',
    "current_step" INTEGER NOT NULL DEFAULT 0,
    "candidate_percent" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'running',
    "reason" TEXT,
    "webhook_url" TEXT,
    "step_started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_events" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "actor_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "online_eval_rules" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "evaluator_version_id" UUID NOT NULL,
    "sample_rate" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "filter" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "online_eval_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "online_eval_scores" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "request_started_at" TIMESTAMPTZ(3) NOT NULL,
    "model_version_id" UUID,
    "prompt_version_id" UUID,
    "score" DOUBLE PRECISION NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "online_eval_scores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflows" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_versions" (
    "id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workflow_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_runs" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "trigger" JSONB NOT NULL DEFAULT '{}',
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "job_id" UUID,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "workflow_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_step_runs" (
    "run_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "outputs" JSONB,
    "error" TEXT,
    "logs" JSONB NOT NULL DEFAULT '[]',
    "job_id" UUID,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "workflow_step_runs_pkey" PRIMARY KEY ("run_id","step_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "evaluators_project_id_name_key" ON "evaluators"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "evaluator_versions_evaluator_id_version_key" ON "evaluator_versions"("evaluator_id", "version");

-- CreateIndex
CREATE INDEX "eval_runs_project_id_created_at_idx" ON "eval_runs"("project_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "eval_targets_prompt_version_id_idx" ON "eval_targets"("prompt_version_id");

-- CreateIndex
CREATE INDEX "eval_targets_model_version_id_idx" ON "eval_targets"("model_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "eval_targets_run_id_position_key" ON "eval_targets"("run_id", "position");

-- CreateIndex
CREATE INDEX "eval_results_run_id_idx" ON "eval_results"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "release_policies_subject_type_subject_id_label_key" ON "release_policies"("subject_type", "subject_id", "label");

-- CreateIndex
CREATE INDEX "rollouts_project_id_created_at_idx" ON "rollouts"("project_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "rollouts_status_idx" ON "rollouts"("status");

-- CreateIndex
CREATE INDEX "rollout_events_rollout_id_created_at_idx" ON "rollout_events"("rollout_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "online_eval_rules_project_id_name_key" ON "online_eval_rules"("project_id", "name");

-- CreateIndex
CREATE INDEX "online_eval_scores_project_id_created_at_idx" ON "online_eval_scores"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "online_eval_scores_prompt_version_id_created_at_idx" ON "online_eval_scores"("prompt_version_id", "created_at");

-- CreateIndex
CREATE INDEX "online_eval_scores_model_version_id_created_at_idx" ON "online_eval_scores"("model_version_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "online_eval_scores_rule_id_request_id_key" ON "online_eval_scores"("rule_id", "request_id");

-- CreateIndex
CREATE UNIQUE INDEX "workflows_project_id_name_key" ON "workflows"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "workflow_versions_workflow_id_version_key" ON "workflow_versions"("workflow_id", "version");

-- CreateIndex
CREATE INDEX "workflow_runs_workflow_id_created_at_idx" ON "workflow_runs"("workflow_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "workflow_runs_project_id_created_at_idx" ON "workflow_runs"("project_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "evaluators" ADD CONSTRAINT "evaluators_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluator_versions" ADD CONSTRAINT "evaluator_versions_evaluator_id_fkey" FOREIGN KEY ("evaluator_id") REFERENCES "evaluators"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_runs" ADD CONSTRAINT "eval_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_targets" ADD CONSTRAINT "eval_targets_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "eval_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_results" ADD CONSTRAINT "eval_results_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "eval_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_results" ADD CONSTRAINT "eval_results_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "eval_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_policies" ADD CONSTRAINT "release_policies_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "online_eval_rules" ADD CONSTRAINT "online_eval_rules_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "online_eval_scores" ADD CONSTRAINT "online_eval_scores_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "online_eval_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_versions" ADD CONSTRAINT "workflow_versions_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "workflow_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_step_runs" ADD CONSTRAINT "workflow_step_runs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One live rollout per label: a second one for the same label while one runs or is paused is refused by the database.
CREATE UNIQUE INDEX "rollouts_one_live_per_label" ON "rollouts"("subject_type", "subject_id", "label") WHERE "status" IN ('running', 'paused');
