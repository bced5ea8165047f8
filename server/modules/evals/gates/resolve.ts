// What a gate request names, turned into ids: the subject's candidate and baseline versions, the dataset version.
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";

export interface ResolvedVersion {
  id: string;
  version: number;
  /** How it was chosen: "v4", "production", ... */
  label: string;
}

export interface Subject {
  type: "prompt" | "model";
  id: string;
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findSubject(
  db: Db,
  projectId: string,
  input: { prompt?: string; modelName?: string },
): Promise<Subject> {
  if (input.prompt) {
    const prompt = await db.prompt.findFirst({ where: { projectId, name: input.prompt }, select: { id: true } });
    if (!prompt)
      throw new DomainError("NOT_FOUND", `Prompt '${input.prompt}' was not found`, [
        { path: "prompt", message: "No prompt of that name in this project" },
      ]);
    return { type: "prompt", id: prompt.id, name: input.prompt };
  }
  const name = input.modelName ?? "";
  const model = await db.model.findFirst({ where: { projectId, name }, select: { id: true } });
  if (!model)
    throw new DomainError("NOT_FOUND", `Model '${name}' was not found`, [
      { path: "modelName", message: "No model of that name in this project" },
    ]);
  return { type: "model", id: model.id, name };
}

async function versionByNumber(db: Db, subject: Subject, version: number): Promise<{ id: string } | null> {
  return subject.type === "prompt"
    ? db.promptVersion.findUnique({
        where: { promptId_version: { promptId: subject.id, version } },
        select: { id: true },
      })
    : db.modelVersion.findUnique({
        where: { modelId_version: { modelId: subject.id, version } },
        select: { id: true },
      });
}

export async function candidateVersion(db: Db, subject: Subject, version: number): Promise<ResolvedVersion> {
  const found = await versionByNumber(db, subject, version);
  if (!found)
    throw new DomainError(
      "NOT_FOUND",
      `${subject.type === "prompt" ? "Prompt" : "Model"} '${subject.name}' has no version ${version}`,
      [{ path: "candidate", message: "No such version" }],
    );
  return { id: found.id, version, label: `v${version}` };
}

/** The baseline a gate compares with: a label's or alias's version, an explicit version, or none (with why). */
export async function baselineVersion(
  db: Db,
  subject: Subject,
  baseline: string,
): Promise<{ version: ResolvedVersion | null; note: string | null }> {
  if (baseline === "none") return { version: null, note: "No baseline was asked for: absolute thresholds only." };
  if (/^\d+$/.test(baseline)) {
    const number = Number(baseline);
    const found = await versionByNumber(db, subject, number);
    if (!found)
      throw new DomainError(
        "NOT_FOUND",
        `${subject.type === "prompt" ? "Prompt" : "Model"} '${subject.name}' has no version ${number}`,
        [{ path: "baseline", message: "No such version" }],
      );
    return { version: { id: found.id, version: number, label: `v${number}` }, note: null };
  }
  const row =
    subject.type === "prompt"
      ? await db.promptLabel.findUnique({
          where: { promptId_name: { promptId: subject.id, name: baseline } },
          select: { version: { select: { id: true, version: true } } },
        })
      : await db.modelAlias.findUnique({
          where: { modelId_name: { modelId: subject.id, name: baseline } },
          select: { version: { select: { id: true, version: true } } },
        });
  if (!row)
    return {
      version: null,
      note: `'${baseline}' is not set on ${subject.type} '${subject.name}': no baseline, the candidate is judged on absolute thresholds only.`,
    };
  return { version: { ...row.version, label: baseline }, note: null };
}

/** A dataset version by id, "name@version", or "name" (its newest version). */
export async function findDatasetVersion(db: Db, projectId: string, ref: string): Promise<string> {
  const missing = (what: string) =>
    new DomainError("NOT_FOUND", `${what} was not found`, [{ path: "dataset", message: "No such dataset version" }]);
  if (UUID.test(ref)) {
    const found = await db.datasetVersion.findFirst({
      where: { id: ref, dataset: { projectId } },
      select: { id: true },
    });
    if (!found) throw missing(`Dataset version ${ref}`);
    return found.id;
  }
  const at = ref.lastIndexOf("@");
  const name = at > 0 ? ref.slice(0, at) : ref;
  const versionText = at > 0 ? ref.slice(at + 1) : null;
  if (versionText !== null && !/^\d+$/.test(versionText))
    throw new DomainError("VALIDATION", `'${ref}': a dataset is "name", "name@version" (a number) or a version id`, [
      { path: "dataset", message: "Not a dataset reference" },
    ]);
  const found = await db.datasetVersion.findFirst({
    where: { dataset: { projectId, name }, ...(versionText !== null ? { version: Number(versionText) } : {}) },
    orderBy: { version: "desc" },
    select: { id: true },
  });
  if (!found) throw missing(versionText !== null ? `Dataset '${name}' version ${versionText}` : `Dataset '${name}'`);
  return found.id;
}

/** "exact" or "exact@2" → an evaluator reference createEvalRun takes. */
export function evaluatorRef(text: string): { name: string; version?: number } {
  const at = text.lastIndexOf("@");
  if (at > 0 && /^\d+$/.test(text.slice(at + 1)))
    return { name: text.slice(0, at), version: Number(text.slice(at + 1)) };
  return { name: text };
}
