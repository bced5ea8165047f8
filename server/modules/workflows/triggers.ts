// Triggers other than manual: the `workflow.triggers` system job (every minute, one at a time across workers)
// scans each enabled workflow's latest version's triggers. Exactly once per event: every run it starts carries a
// trigger key (`schedule:<fire time>`, `prompt_version:<id>`, `prompt_label_event:<id>`...) that is unique per
// workflow, so a scan that repeats (a lookback over events committed late, a crash before the cursor moved) starts
// nothing twice.

import { z } from "zod";
import type { TriggerSpec, WorkflowDefinition } from "@/lib/workflows/schema";
import type { Db } from "@/server/db";
import { defineJobKind } from "@/server/modules/jobs/kinds";
import { fireTimesBetween } from "@/server/modules/schedules/plan";
import { describeError } from "@/server/repeated-log";
import { resolveInputs, startRun } from "./runs";

/** Events are read again this far behind the cursor: a transaction that committed late is still seen. */
const LOOKBACK_MS = 5 * 60_000;

interface Fired {
  key: string;
  trigger: Record<string, unknown>;
}

type WorkflowWithLatest = { id: string; projectId: string; eventsCursor: Date; scheduleCursor: Date };
type Latest = { id: string; createdAt: Date; definition: WorkflowDefinition };

async function scheduleFires(
  spec: Extract<TriggerSpec, { type: "schedule" }>,
  from: Date,
  now: Date,
): Promise<Fired[]> {
  // Fire times after the cursor; after downtime only the newest missed one runs (no flood of catch-up runs).
  const { times } = fireTimesBetween(spec.cron, spec.timezone, new Date(from.getTime() + 1), now, 1);
  return times.map((t) => ({
    key: `schedule:${t.toISOString()}`,
    trigger: { type: "schedule", fire_time: t.toISOString() },
  }));
}

async function versionEvents(
  db: Db,
  w: WorkflowWithLatest,
  spec: Extract<TriggerSpec, { type: "new_version" }>,
  since: Date,
) {
  if (spec.prompt) {
    const rows = await db.promptVersion.findMany({
      where: { prompt: { projectId: w.projectId, name: spec.prompt }, createdAt: { gt: since } },
      select: { id: true, version: true, promptId: true, createdAt: true },
      orderBy: { createdAt: "asc" },
      take: 100,
    });
    return rows.map((r) => ({
      at: r.createdAt,
      key: `prompt_version:${r.id}`,
      trigger: {
        type: "new_version",
        prompt: spec.prompt,
        prompt_id: r.promptId,
        version: r.version,
        version_id: r.id,
      },
    }));
  }
  const rows = await db.modelVersion.findMany({
    where: { model: { projectId: w.projectId, name: spec.model }, createdAt: { gt: since } },
    select: { id: true, version: true, modelId: true, createdAt: true },
    orderBy: { createdAt: "asc" },
    take: 100,
  });
  return rows.map((r) => ({
    at: r.createdAt,
    key: `model_version:${r.id}`,
    trigger: { type: "new_version", model: spec.model, model_id: r.modelId, version: r.version, version_id: r.id },
  }));
}

async function labelEvents(
  db: Db,
  w: WorkflowWithLatest,
  spec: Extract<TriggerSpec, { type: "label_moved" }>,
  since: Date,
) {
  if (spec.prompt) {
    const rows = await db.promptLabelEvent.findMany({
      where: { prompt: { projectId: w.projectId, name: spec.prompt }, label: spec.label, createdAt: { gt: since } },
      orderBy: { createdAt: "asc" },
      take: 100,
    });
    const ids = await db.promptVersion.findMany({
      where: {
        promptId: { in: rows.map((r) => r.promptId) },
        version: { in: rows.flatMap((r) => (r.toVersion ? [r.toVersion] : [])) },
      },
      select: { id: true, promptId: true, version: true },
    });
    return rows.map((r) => ({
      at: r.createdAt,
      key: `prompt_label_event:${r.id}`,
      trigger: {
        type: "label_moved",
        prompt: spec.prompt,
        prompt_id: r.promptId,
        label: r.label,
        from_version: r.fromVersion,
        version: r.toVersion,
        version_id: ids.find((v) => v.promptId === r.promptId && v.version === r.toVersion)?.id ?? null,
      },
    }));
  }
  const rows = await db.modelAliasEvent.findMany({
    where: { model: { projectId: w.projectId, name: spec.model }, alias: spec.label, createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    take: 100,
  });
  const ids = await db.modelVersion.findMany({
    where: {
      modelId: { in: rows.map((r) => r.modelId) },
      version: { in: rows.flatMap((r) => (r.toVersion ? [r.toVersion] : [])) },
    },
    select: { id: true, modelId: true, version: true },
  });
  return rows.map((r) => ({
    at: r.createdAt,
    key: `model_alias_event:${r.id}`,
    trigger: {
      type: "label_moved",
      model: spec.model,
      model_id: r.modelId,
      label: r.alias,
      from_version: r.fromVersion,
      version: r.toVersion,
      version_id: ids.find((v) => v.modelId === r.modelId && v.version === r.toVersion)?.id ?? null,
    },
  }));
}

/** One scan: starts the runs every enabled workflow's triggers call for, and moves its cursors. Returns runs started. */
export async function scanTriggers(db: Db, now = new Date(), log: (line: string) => void = () => {}): Promise<number> {
  const workflows = await db.workflow.findMany({
    where: { enabled: true },
    include: {
      versions: { orderBy: { version: "desc" }, take: 1, select: { id: true, createdAt: true, definition: true } },
    },
  });
  let started = 0;
  for (const w of workflows) {
    const latest = w.versions[0] as unknown as Latest | undefined;
    if (!latest) continue;
    const triggers = latest.definition.triggers.filter((t) => t.type !== "manual");
    if (!triggers.length) continue;
    // Events before the version that declares the trigger never fire it.
    const since = new Date(Math.max(w.eventsCursor.getTime() - LOOKBACK_MS, latest.createdAt.getTime()));
    const fired: Fired[] = [];
    let newest = w.eventsCursor;
    try {
      for (const t of triggers) {
        if (t.type === "schedule")
          fired.push(
            ...(await scheduleFires(
              t,
              new Date(Math.max(w.scheduleCursor.getTime(), latest.createdAt.getTime())),
              now,
            )),
          );
        else {
          const events =
            t.type === "new_version" ? await versionEvents(db, w, t, since) : await labelEvents(db, w, t, since);
          for (const e of events) if (e.at > newest) newest = e.at;
          fired.push(...events);
        }
      }
      const inputs = resolveInputs(latest.definition.inputs, {});
      for (const f of fired) {
        const run = await startRun(db, {
          workflowId: w.id,
          projectId: w.projectId,
          versionId: latest.id,
          trigger: f.trigger,
          inputs,
          triggerKey: f.key,
          createdBy: { userId: null, label: `trigger ${f.trigger.type}` },
        });
        if (run.created) started += 1;
      }
      await db.workflow.update({ where: { id: w.id }, data: { eventsCursor: newest, scheduleCursor: now } });
    } catch (error) {
      // One workflow's problem (a required input without a default) does not stop the others.
      log(`workflow ${w.id}: ${describeError(error)}`);
    }
  }
  return started;
}

export const workflowTriggersJob = defineJobKind({
  kind: "workflow.triggers",
  payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
  perProject: 1,
  perProcess: 1,
  maxAttempts: 1,
  timeoutSeconds: 300,
  retryDelaySeconds: 5,
  run: async (ctx) => ({ started: await scanTriggers(ctx.db, new Date(), (line) => ctx.log(line, "warn")) }),
});
