import type { z } from "zod";
import { DomainError } from "@/server/errors";
import type { DatasetExample } from "@/server/modules/datasets/core";
import { deriveRows } from "@/server/modules/datasets/derive";
import type { TransformPreviewOut } from "@/server/modules/datasets/output-schemas";
import { type TransformInput, transformInput, type versionOut } from "@/server/modules/datasets/schemas";
import { findVersion } from "@/server/modules/datasets/service";
import type { ProjectDeps } from "@/server/modules/deps";

/** Before/after pairs a mask preview shows: enough to judge the placeholders, small enough to send. */
const SAMPLES = 3;

/**
 * What a transform would do, without writing anything: the same rows and report the transform makes
 * (`deriveRows`), counted and dropped. A mask preview adds the first few changed examples before and after.
 * Merge has no preview (its count is the sum of the versions, less duplicates).
 */
export async function previewTransform(deps: ProjectDeps, raw: TransformInput): Promise<TransformPreviewOut> {
  const input = transformInput.parse(raw);
  if (input.operation === "merge")
    throw new DomainError("VALIDATION", "Merge has no preview: apply it to see the counts", [
      { path: "operation", message: "mask, dedupe, filter or split" },
    ]);
  const parent = await findVersion(deps.db, deps.caller.projectId, input.versionId);
  const report: z.infer<typeof versionOut>["report"] = {};
  const samples: { position: number; before: DatasetExample; after: DatasetExample }[] = [];
  const rows = deriveRows(deps.db, parent.id, input, report, (position, before, after) => {
    if (samples.length < SAMPLES) samples.push({ position, before, after });
  });
  let examples = 0;
  for await (const _ of rows) examples++;
  // Stored examples are JSON (read back from jsonb), as the output schema says.
  const shown = samples as unknown as TransformPreviewOut["samples"];
  return { operation: input.operation, parentExamples: parent.exampleCount, examples, report, samples: shown };
}
