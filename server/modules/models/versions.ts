import type { z } from "zod";
import { encryptSecret } from "@/server/crypto/secrets";
import { DomainError, notFound, retryOnUniqueViolation } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { artifactVariants, pickVariant } from "@/server/modules/inference/artifact/choose";
import type { ArtifactInfo } from "@/server/modules/inference/types";
import { toVersionSummary, versionInclude } from "@/server/modules/models/mapping";
import type { createVersionInput, versionSummary } from "@/server/modules/models/schemas";
import { findModel } from "@/server/modules/models/service";
import { endpointRefusal } from "@/server/modules/providers/address-policy";
import { upstreamAllowList } from "@/server/modules/providers/config";

/**
 * Adds version N+1 to a model. Versions are immutable; the number comes from
 * the database inside the transaction and the unique (model, version) index
 * settles races: the loser retries with the next number.
 */
export async function createVersion(
  deps: ServiceDeps,
  input: z.output<typeof createVersionInput>,
): Promise<z.infer<typeof versionSummary>> {
  const { caller } = deps;
  const model = await findModel(deps.db, caller.projectId, input.modelId);
  const local = model.provider === "onnx_local";
  if (local && !input.artifactId)
    throw new DomainError("VALIDATION", "A local ONNX model version needs an artifact", [
      { path: "artifactId", message: "Upload or register an artifact first" },
    ]);
  if (local && (input.endpointBaseUrl || input.apiKey))
    throw new DomainError("VALIDATION", "A local ONNX model version has no endpoint or API key", [
      { path: "endpointBaseUrl", message: "Not used by onnx-local models" },
    ]);
  if (!local && (!input.endpointBaseUrl || !input.upstreamModelId))
    throw new DomainError("VALIDATION", "An upstream model version needs an endpoint and the upstream model id", [
      ...(input.endpointBaseUrl ? [] : [{ path: "endpointBaseUrl", message: "Required for upstream models" }]),
      ...(input.upstreamModelId ? [] : [{ path: "upstreamModelId", message: "Required for upstream models" }]),
    ]);
  if (!local && input.endpointBaseUrl) {
    // A literal address (any notation) or localhost is refused now; names are checked again at connect time.
    const refused = endpointRefusal(input.endpointBaseUrl, upstreamAllowList());
    if (refused)
      throw new DomainError("VALIDATION", `endpointBaseUrl ${refused}`, [
        { path: "endpointBaseUrl", message: refused },
      ]);
  }
  if (!local && input.artifactId)
    throw new DomainError("VALIDATION", "Upstream model versions do not take an artifact", [
      { path: "artifactId", message: "Only for onnx-local models" },
    ]);
  if (input.onnxVariant && !local)
    throw new DomainError("VALIDATION", "Only local ONNX model versions pick a variant", [
      { path: "onnxVariant", message: "Only for onnx-local models" },
    ]);
  if (input.artifactId) {
    const artifact = await deps.db.modelArtifact.findFirst({
      where: { id: input.artifactId, projectId: caller.projectId },
    });
    if (!artifact) throw notFound("Artifact", input.artifactId);
    // A variant the folder lacks is refused now, naming those it has, not at the first request.
    if (input.onnxVariant)
      pickVariant(artifactVariants(artifact.inspection as unknown as ArtifactInfo), "cpu", input.onnxVariant);
  }
  if (input.baseVersionId) {
    const base = await deps.db.modelVersion.findFirst({
      where: { id: input.baseVersionId, model: { projectId: caller.projectId } },
    });
    if (!base) throw notFound("Base model version", input.baseVersionId);
  }
  // Lineage ids are foreign keys: name what is missing instead of failing on the constraint.
  if (input.datasetVersionId) {
    const found = await deps.db.datasetVersion.findFirst({
      where: { id: input.datasetVersionId, dataset: { projectId: caller.projectId } },
    });
    if (!found) throw notFound("Dataset version", input.datasetVersionId);
  }
  if (input.fineTuneJobId) {
    const found = await deps.db.fineTuneJob.findFirst({
      where: { id: input.fineTuneJobId, projectId: caller.projectId },
    });
    if (!found) throw notFound("Fine-tuning job", input.fineTuneJobId);
  }
  const apiKeyCiphertext = input.apiKey ? encryptSecret(input.apiKey) : null;

  return retryOnUniqueViolation(() =>
    deps.db.$transaction(async (tx) => {
      const last = await tx.modelVersion.findFirst({
        where: { modelId: model.id },
        orderBy: { version: "desc" },
        select: { version: true },
      });
      const row = await tx.modelVersion.create({
        data: {
          modelId: model.id,
          version: (last?.version ?? 0) + 1,
          artifactId: input.artifactId ?? null,
          endpointBaseUrl: input.endpointBaseUrl ?? null,
          upstreamModelId: input.upstreamModelId ?? null,
          apiKeyCiphertext,
          defaultParams: input.defaultParams as Prisma.InputJsonValue,
          onnxVariant: input.onnxVariant ?? null,
          baseVersionId: input.baseVersionId ?? null,
          datasetVersionId: input.datasetVersionId ?? null,
          fineTuneJobId: input.fineTuneJobId ?? null,
          source: input.source ?? null,
          notes: input.notes,
          createdById: caller.actor.userId,
          createdByLabel: caller.actor.label,
        },
        include: versionInclude,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "model.version.create",
        targetType: "modelVersion",
        targetId: row.id,
        summary: {
          model: model.name,
          version: row.version,
          artifactId: row.artifactId,
          onnxVariant: row.onnxVariant,
          endpoint: row.endpointBaseUrl,
        },
      });
      return toVersionSummary(row);
    }),
  );
}
