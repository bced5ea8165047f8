-- CreateEnum
CREATE TYPE "ProviderKind" AS ENUM ('onnx-local', 'openai-compatible', 'anthropic');

-- CreateEnum
CREATE TYPE "TaskType" AS ENUM ('chat', 'completion', 'embedding', 'classification');

-- CreateTable
CREATE TABLE "models" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "provider" "ProviderKind" NOT NULL,
    "task" "TaskType" NOT NULL,
    "context_length" INTEGER,
    "license" TEXT,
    "price_input_per_mtok" DECIMAL(14,6),
    "price_output_per_mtok" DECIMAL(14,6),
    "price_per_compute_second" DECIMAL(14,8),
    "tags" TEXT[],
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "artifact_id" UUID,
    "endpoint_base_url" TEXT,
    "upstream_model_id" TEXT,
    "api_key_ciphertext" TEXT,
    "default_params" JSONB NOT NULL DEFAULT '{}',
    "base_version_id" UUID,
    "dataset_version_id" TEXT,
    "fine_tune_job_id" TEXT,
    "source" TEXT,
    "notes" TEXT NOT NULL DEFAULT '',
    "created_by_id" UUID,
    "created_by_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_artifacts" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "manifest" JSONB NOT NULL,
    "inspection" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_aliases" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_aliases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_alias_events" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER,
    "reason" TEXT NOT NULL DEFAULT '',
    "actor_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_alias_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inference_runs" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "model_version_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "device" TEXT NOT NULL,
    "ttft_ms" DOUBLE PRECISION,
    "tpot_ms" DOUBLE PRECISION,
    "tokens_per_second" DOUBLE PRECISION,
    "duration_ms" DOUBLE PRECISION NOT NULL,
    "tokens_in" INTEGER NOT NULL,
    "tokens_out" INTEGER NOT NULL,
    "cost_usd" DECIMAL(18,8) NOT NULL DEFAULT 0,
    "finish_reason" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inference_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "playground_runs" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "user_id" UUID,
    "request" JSONB NOT NULL,
    "results" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "playground_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "models_project_id_name_key" ON "models"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_model_id_version_key" ON "model_versions"("model_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "model_artifacts_project_id_sha256_key" ON "model_artifacts"("project_id", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "model_aliases_model_id_name_key" ON "model_aliases"("model_id", "name");

-- CreateIndex
CREATE INDEX "model_alias_events_model_id_created_at_idx" ON "model_alias_events"("model_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "inference_runs_project_id_created_at_idx" ON "inference_runs"("project_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "inference_runs_model_version_id_created_at_idx" ON "inference_runs"("model_version_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "playground_runs_project_id_user_id_created_at_idx" ON "playground_runs"("project_id", "user_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "models" ADD CONSTRAINT "models_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "model_artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_base_version_id_fkey" FOREIGN KEY ("base_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_alias_events" ADD CONSTRAINT "model_alias_events_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inference_runs" ADD CONSTRAINT "inference_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inference_runs" ADD CONSTRAINT "inference_runs_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "playground_runs" ADD CONSTRAINT "playground_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
