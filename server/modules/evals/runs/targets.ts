// A run's targets: what each column of the matrix asks the gateway for, resolved (and refused: 404) when the run
// is created, so a run never starts with a target that cannot exist.
import type { CreateEvalRun } from "@/lib/evals/runs";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { resolveModelRef } from "@/server/modules/models/service";
import type { TargetPlan } from "./cases";

/** Body fields a target's params may not set: the run sets them per case. */
const RESERVED_PARAMS = ["model", "messages", "variables", "stream", "prompt", "n"];

export interface TargetRow {
  position: number;
  label: string;
  promptVersionId: string | null;
  modelVersionId: string | null;
  model: string;
  params: Record<string, unknown>;
}

const missing = (path: string, what: string, id: string) =>
  new DomainError("NOT_FOUND", `${path}: ${what} '${id}' was not found in this project`, [
    { path, message: `No such ${what}` },
  ]);

/** `{temperature:0,max_tokens:16}`: short enough for a column header. */
const paramsLabel = (params: Record<string, unknown>) =>
  `{${Object.entries(params)
    .map(([k, v]) => `${k}:${JSON.stringify(v)}`)
    .join(",")}}`;

export async function resolveTargets(db: Db, projectId: string, input: CreateEvalRun["targets"]): Promise<TargetRow[]> {
  const rows: TargetRow[] = [];
  for (const [position, t] of input.entries()) {
    const path = `targets.${position}`;
    for (const key of Object.keys(t.params))
      if (RESERVED_PARAMS.includes(key))
        throw new DomainError("VALIDATION", `${path}.params.${key}: the run sets '${key}' itself`, [
          { path: `${path}.params.${key}`, message: "Set by the run" },
        ]);
    if (t.modelVersionId && t.model)
      throw new DomainError("VALIDATION", `${path}: give a model version or a model reference, not both`, [
        { path: `${path}.model`, message: "Give one of modelVersionId and model" },
      ]);
    const parts: string[] = [];
    let prompt: { name: string; version: number } | null = null;
    if (t.promptVersionId) {
      const found = await db.promptVersion.findFirst({
        where: { id: t.promptVersionId, prompt: { projectId } },
        select: { version: true, prompt: { select: { name: true } } },
      });
      if (!found) throw missing(`${path}.promptVersionId`, "prompt version", t.promptVersionId);
      prompt = { name: found.prompt.name, version: found.version };
      parts.push(`${prompt.name} v${prompt.version}`);
    }
    let model: string | null = null;
    if (t.modelVersionId) {
      const found = await db.modelVersion.findFirst({
        where: { id: t.modelVersionId, model: { projectId } },
        select: { version: true, model: { select: { name: true } } },
      });
      if (!found) throw missing(`${path}.modelVersionId`, "model version", t.modelVersionId);
      model = `${found.model.name}@${found.version}`;
      parts.push(`${found.model.name} v${found.version}`);
    } else if (t.model) {
      await checkModelRef(db, projectId, t.model, `${path}.model`);
      model = t.model;
      parts.push(t.model);
    }
    if (Object.keys(t.params).length) parts.push(paramsLabel(t.params));
    rows.push({
      position,
      label: t.label?.trim() || parts.join(" · "),
      promptVersionId: t.promptVersionId ?? null,
      modelVersionId: t.modelVersionId ?? null,
      // A prompt alone is served with its own model (its config names it), the way live traffic meets it.
      model: model ?? `prompt:${prompt!.name}@${prompt!.version}`,
      params: t.params,
    });
  }
  return rows;
}

/** A model reference must name a registered model (any alias or version the gateway accepts) or a route. */
async function checkModelRef(db: Db, projectId: string, ref: string, path: string) {
  if (ref.startsWith("prompt:") || ref.startsWith("experiment:"))
    throw new DomainError("VALIDATION", `${path}: name a prompt version with promptVersionId, not '${ref}'`, [
      { path, message: "A model reference, not a prompt or experiment" },
    ]);
  const route = await db.gatewayRoute.findFirst({ where: { projectId, name: ref }, select: { id: true } });
  if (route) return;
  try {
    await resolveModelRef({ db }, projectId, ref);
  } catch (error) {
    if (error instanceof DomainError && error.code === "NOT_FOUND")
      throw new DomainError("NOT_FOUND", `${path}: ${error.message}`, [{ path, message: error.message }]);
    if (error instanceof DomainError)
      throw new DomainError(error.code, `${path}: ${error.message}`, [{ path, message: error.message }]);
    throw error;
  }
}

/** How the executor calls a stored target: a prompt with another model is rendered in-process. */
export async function targetPlan(
  db: Db,
  row: { id: string; model: string | null; promptVersionId: string | null; params: unknown },
): Promise<TargetPlan> {
  const model = row.model ?? "";
  let render: TargetPlan["render"] = null;
  if (row.promptVersionId && !model.startsWith("prompt:")) {
    const found = await db.promptVersion.findUniqueOrThrow({
      where: { id: row.promptVersionId },
      select: { version: true, prompt: { select: { name: true } } },
    });
    render = { name: found.prompt.name, version: found.version };
  }
  return { id: row.id, model, params: (row.params ?? {}) as Record<string, unknown>, render };
}
