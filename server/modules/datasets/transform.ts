// Transforms (mask, dedupe, filter, split, merge) make a new version from a parent. A small one runs inside the
// request; one over more than SWITCHYARD_DATASET_INLINE_ROWS examples runs as a `dataset.transform` job, so a
// request never holds a connection and a transaction for minutes, and the work survives a restart.
import { z } from "zod";
import type { Actor } from "@/server/auth/principal";
import { DomainError } from "@/server/errors";
import { deriveRows } from "@/server/modules/datasets/derive";
import {
  type TransformInput,
  type TransformOut,
  transformInput,
  type versionOut,
} from "@/server/modules/datasets/schemas";
import { findVersion, toVersionOut } from "@/server/modules/datasets/service";
import { finishVersion, inSqlTransaction, startVersion } from "@/server/modules/datasets/sql";
import type { ExampleRow } from "@/server/modules/datasets/versions";
import { writeDerivedRows } from "@/server/modules/datasets/versions";
import type { ServiceDeps } from "@/server/modules/deps";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import { defineJobKind, type JobContext, PermanentJobError } from "@/server/modules/jobs/kinds";

type Transform = z.output<typeof transformInput>;
type Report = z.infer<typeof versionOut>["report"];

/** SWITCHYARD_DATASET_INLINE_ROWS (default 10,000): above this many source examples a transform runs as a job. */
function inlineRows(): number {
  const raw = process.env.SWITCHYARD_DATASET_INLINE_ROWS?.trim();
  const value = raw ? Number(raw) : 10_000;
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`SWITCHYARD_DATASET_INLINE_ROWS must be a whole number >= 0, not "${raw}"`);
  return value;
}

interface Hooks {
  /** Checked between rows: aborting rolls the whole version back (nothing partial is ever visible). */
  signal?: AbortSignal;
  /** Source examples read so far (every 100). */
  onRead?: (read: number) => void;
  /** The job whose checkpoint records the version, in the version's own transaction (so a retry never makes two). */
  jobId?: string;
}

/** Reads the parent (and merge's others), writes the new version in one transaction; returns its id. */
async function writeTransform(deps: ServiceDeps, input: Transform, hooks: Hooks = {}): Promise<string> {
  const { caller } = deps;
  const parent = await findVersion(deps.db, caller.projectId, input.versionId);
  const report: Report = {};
  const onRead = hooks.onRead && ((read: number) => read % 100 === 0 && hooks.onRead?.(read));
  const derived = deriveRows(deps.db, parent.id, input, report, undefined, onRead);
  const rows = (async function* (): AsyncGenerator<ExampleRow> {
    for await (const row of derived) {
      if (hooks.signal?.aborted) throw hooks.signal.reason;
      yield row;
    }
  })();
  const { versionId: _, operation, ...params } = input;
  const writer = { projectId: caller.projectId, actor: caller.actor };
  return inSqlTransaction(deps.db, async (client) => {
    const draft = { datasetId: parent.datasetId, parentId: parent.id, operation, params };
    const versionId = await startVersion(client, writer, draft);
    const written = await writeDerivedRows(client, versionId, rows);
    await finishVersion(client, writer, { ...draft, versionId }, { ...written, report });
    if (hooks.jobId)
      await client.query("UPDATE jobs SET checkpoint = $2::jsonb WHERE id = $1", [
        hooks.jobId,
        JSON.stringify({ versionId }),
      ]);
    return versionId;
  });
}

async function versionOutOf(deps: ServiceDeps, versionId: string) {
  const saved = await deps.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
  const parent = saved.parentId
    ? await deps.db.datasetVersion.findUnique({ where: { id: saved.parentId }, select: { version: true } })
    : null;
  return toVersionOut(saved, parent?.version ?? null);
}

/**
 * Builds a new version from a parent by one transform; the lineage names the parent. Unchanged examples are
 * shared with the parent (membership rows only); a mask writes new rows only for the examples it changed.
 * Over SWITCHYARD_DATASET_INLINE_ROWS source examples it is queued as a job instead, and the answer names it.
 */
export async function transformDataset(deps: ServiceDeps, raw: TransformInput): Promise<TransformOut> {
  const { caller } = deps;
  // The procedure's input is one flat object (REST needs one); this narrows it per operation.
  const input = transformInput.parse(raw);
  const parent = await findVersion(deps.db, caller.projectId, input.versionId);
  const others =
    input.operation === "merge"
      ? await Promise.all(input.otherVersionIds.map((id) => findVersion(deps.db, caller.projectId, id)))
      : [];
  const examples = parent.exampleCount + others.reduce((sum, v) => sum + v.exampleCount, 0);
  if (examples <= inlineRows()) return { ...(await versionOutOf(deps, await writeTransform(deps, input))), job: null };
  const job = await enqueueJob(deps.db, datasetTransformJob, {
    projectId: caller.projectId,
    payload: { transform: input, actor: caller.actor },
    subject: { type: "dataset_version", id: parent.id },
    createdBy: { userId: caller.actor.userId, label: caller.actor.label },
  });
  return { job: { id: job.id, kind: datasetTransformJob.kind }, sourceVersionId: parent.id, examples };
}

const actorSchema: z.ZodType<Actor> = z.object({
  type: z.enum(["user", "api_key", "system"]),
  userId: z.string().nullable(),
  keyId: z.string().nullable(),
  label: z.string(),
});

export const datasetTransformJob = defineJobKind({
  kind: "dataset.transform",
  payload: z.object({ transform: transformInput, actor: actorSchema }),
  // One large transform per project at a time: each holds a connection and a transaction while it writes.
  perProject: 1,
  perProcess: 2,
  maxAttempts: 3,
  timeoutSeconds: 3600,
  retryDelaySeconds: 10,
  async run(ctx: JobContext<{ transform: Transform; actor: Actor }>) {
    try {
      return await runTransformJob(ctx);
    } catch (error) {
      // A source version deleted meanwhile, a bad pattern: trying again would fail the same way.
      if (error instanceof DomainError) throw new PermanentJobError(error.message);
      throw error;
    }
  },
});

async function runTransformJob(ctx: JobContext<{ transform: Transform; actor: Actor }>) {
  const { transform, actor } = ctx.job.payload;
  if (!ctx.job.projectId) throw new PermanentJobError("A dataset transform belongs to a project");
  const deps: ServiceDeps = {
    db: ctx.db,
    // The job acts for whoever asked; they held datasets:write when they did.
    caller: { projectId: ctx.job.projectId, role: null, scopes: ["datasets:write"], actor },
  };
  // An earlier attempt that committed its version (and died before finishing the job) recorded it here.
  const committed = (ctx.job.checkpoint as { versionId?: string } | null)?.versionId;
  if (committed) ctx.log(`the version was already written by an earlier attempt (${committed})`);
  const sources = [transform.versionId, ...(transform.operation === "merge" ? transform.otherVersionIds : [])];
  const versions = await Promise.all(sources.map((id) => findVersion(ctx.db, deps.caller.projectId, id)));
  const total = versions.reduce((sum, v) => sum + v.exampleCount, 0);
  const versionId =
    committed ??
    (await writeTransform(deps, transform, {
      signal: ctx.signal,
      jobId: ctx.job.id,
      onRead: (read) => ctx.progress(read, Math.max(read, total)),
    }));
  ctx.progress(total, total);
  const version = await versionOutOf(deps, versionId);
  ctx.log(`wrote v${version.version} (${transform.operation}) with ${version.exampleCount} examples`);
  return { versionId, version: version.version, exampleCount: version.exampleCount };
}
