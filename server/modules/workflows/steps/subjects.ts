// Prompts and models named in a step (`prompt: support-bot`), resolved in the run's project.
import { DomainError } from "@/server/errors";
import type { StepContext } from "./types";

export interface Subject {
  type: "prompt" | "model";
  id: string;
  name: string;
}

export async function subjectOf(ctx: StepContext): Promise<Subject> {
  const w = ctx.with as { prompt?: string; model?: string };
  if (w.prompt) {
    const p = await ctx.db.prompt.findFirst({
      where: { projectId: ctx.projectId, name: String(w.prompt) },
      select: { id: true, name: true },
    });
    if (!p) throw new DomainError("NOT_FOUND", `No prompt named '${w.prompt}'`);
    return { type: "prompt", ...p };
  }
  const m = await ctx.db.model.findFirst({
    where: { projectId: ctx.projectId, name: String(w.model) },
    select: { id: true, name: true },
  });
  if (!m) throw new DomainError("NOT_FOUND", `No model named '${w.model}'`);
  return { type: "model", ...m };
}

/** The id of version `version` of the subject. */
export async function versionIdOf(ctx: StepContext, subject: Subject, version: number): Promise<string> {
  const row =
    subject.type === "prompt"
      ? await ctx.db.promptVersion.findFirst({ where: { promptId: subject.id, version }, select: { id: true } })
      : await ctx.db.modelVersion.findFirst({ where: { modelId: subject.id, version }, select: { id: true } });
  if (!row) throw new DomainError("NOT_FOUND", `${subject.type} '${subject.name}' has no version ${version}`);
  return row.id;
}

/** `name@label`, `name@3` or `name` (its production label, else its newest version) → a prompt version id. */
export async function promptVersionIdOf(ctx: StepContext, ref: string): Promise<string> {
  const [name, selector] = ref.split("@");
  const prompt = await ctx.db.prompt.findFirst({ where: { projectId: ctx.projectId, name }, select: { id: true } });
  if (!prompt) throw new DomainError("NOT_FOUND", `No prompt named '${name}'`);
  if (selector && /^\d+$/.test(selector))
    return versionIdOf(ctx, { type: "prompt", id: prompt.id, name }, Number(selector));
  const label = await ctx.db.promptLabel.findFirst({
    where: { promptId: prompt.id, name: selector || "production" },
    select: { versionId: true },
  });
  if (label) return label.versionId;
  if (selector) throw new DomainError("NOT_FOUND", `Prompt '${name}' has no label '${selector}'`);
  const newest = await ctx.db.promptVersion.findFirst({
    where: { promptId: prompt.id },
    orderBy: { version: "desc" },
    select: { id: true },
  });
  if (!newest) throw new DomainError("NOT_FOUND", `Prompt '${name}' has no version`);
  return newest.id;
}

export function positiveInt(value: unknown, field: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
    throw new DomainError("BAD_REQUEST", `'${field}' must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}
