// Reading stored eval results defensively: the JSON columns are written by the executor, but a row from an
// older or partial run must still render, never fail the page.
import type { EvaluatorScoreOut } from "@/lib/evals/compare";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";

const PREVIEW_CHARS = 300;
const EXPECTED_CHARS = 4_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const bool = (v: unknown) => (typeof v === "boolean" ? v : null);

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A message's content as text (string, or the text parts of a parts array). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : ""))
      .filter(Boolean)
      .join(" ");
  return content === undefined || content === null ? "" : JSON.stringify(content);
}

/** The case input in one line: the last user message, else the variables as `name: value`. */
export function inputPreview(input: unknown): string {
  if (!isRecord(input)) return clip(typeof input === "string" ? input : JSON.stringify(input ?? ""), PREVIEW_CHARS);
  if (Array.isArray(input.messages) && input.messages.length) {
    const messages = input.messages.filter(isRecord);
    const user = [...messages].reverse().find((m) => m.role === "user") ?? messages[messages.length - 1];
    if (user) return clip(contentText(user.content).replace(/\s+/g, " ").trim(), PREVIEW_CHARS);
  }
  if (isRecord(input.variables)) {
    const parts = Object.entries(input.variables).map(
      ([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`,
    );
    return clip(parts.join(", ").replace(/\s+/g, " "), PREVIEW_CHARS);
  }
  return clip(JSON.stringify(input), PREVIEW_CHARS);
}

export function expectedText(expected: unknown): string | null {
  if (expected === null || expected === undefined) return null;
  return clip(typeof expected === "string" ? expected : JSON.stringify(expected), EXPECTED_CHARS);
}

/** The `scores` column as the evaluators' verdicts (entries without a name are skipped). */
export function parseScores(value: unknown): EvaluatorScoreOut[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((s) =>
    typeof s.name === "string"
      ? [
          {
            name: s.name,
            version: num(s.version),
            type: typeof s.type === "string" ? s.type : null,
            score: num(s.score),
            passed: bool(s.passed),
            reason: typeof s.reason === "string" ? s.reason : "",
            weight: num(s.weight),
            costUsd: num(s.costUsd),
          },
        ]
      : [],
  );
}

/** A run of the caller's project, or NOT_FOUND (another project's run is not found either). */
export async function findRun(db: Db, projectId: string, runId: string) {
  const run = await db.evalRun.findFirst({ where: { id: runId, projectId } });
  if (!run) throw notFound("Eval run", runId);
  return run;
}

/** A target of a run by its position, or a 404 naming the field. */
export async function findTarget(db: Db, runId: string, position: number, field: string) {
  const target = await db.evalTarget.findUnique({ where: { runId_position: { runId, position } } });
  if (!target)
    throw new DomainError("NOT_FOUND", `The run has no target at position ${position}`, [
      { path: field, message: `No target at position ${position}` },
    ]);
  return target;
}

export { isRecord, num };
