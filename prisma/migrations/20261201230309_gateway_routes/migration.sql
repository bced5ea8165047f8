-- CreateEnum
CREATE TYPE "RouteConfigFormat" AS ENUM ('yaml', 'json');

-- CreateTable
CREATE TABLE "gateway_routes" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "active_version_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gateway_routes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateway_route_versions" (
    "id" UUID NOT NULL,
    "route_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "format" "RouteConfigFormat" NOT NULL,
    "config" JSONB NOT NULL,
    "commit_message" TEXT NOT NULL DEFAULT '',
    "author_id" UUID,
    "author_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_route_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateway_route_activations" (
    "id" UUID NOT NULL,
    "route_id" UUID NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "actor_label" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_route_activations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gateway_routes_active_version_id_key" ON "gateway_routes"("active_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "gateway_routes_project_id_name_key" ON "gateway_routes"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "gateway_route_versions_route_id_version_key" ON "gateway_route_versions"("route_id", "version");

-- CreateIndex
CREATE INDEX "gateway_route_activations_route_id_created_at_idx" ON "gateway_route_activations"("route_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "gateway_routes" ADD CONSTRAINT "gateway_routes_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gateway_routes" ADD CONSTRAINT "gateway_routes_active_version_id_fkey" FOREIGN KEY ("active_version_id") REFERENCES "gateway_route_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gateway_route_versions" ADD CONSTRAINT "gateway_route_versions_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "gateway_routes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gateway_route_activations" ADD CONSTRAINT "gateway_route_activations_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "gateway_routes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
