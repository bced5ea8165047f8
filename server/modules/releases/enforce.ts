import { evaluateGate, type Threshold, thresholdSchema } from "@/lib/evals/gate";
import type { GateVerdict, RunSummary } from "@/lib/evals/summary";
import type { Actor } from "@/server/auth/principal";
import type { DbTx } from "@/server/db";
import { DomainError } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ReleaseSubjectType } from "@/server/modules/releases/schemas";

export interface ReleaseCheck {
  projectId: string;
  subjectType: ReleaseSubjectType;
  /** The prompt's or model's id. */
  subjectId: string;
  /** The label (prompt) or alias (model) being moved. */
  label: string;
  /** The prompt version or model version it would point at. */
  versionId: string;
  actor: Actor;
  /** The mover's scopes: an override needs `releases:write` (owners and admins). */
  scopes?: readonly string[];
  /** Move anyway, for this recorded reason. */
  override?: { reason: string };
}

export interface ReleaseDecision {
  /** No policy guards this label, or it does not require an eval. */
  guarded: boolean;
  /** The passing eval run that allowed the move. */
  evidenceRunId: string | null;
  /** The refusal an owner overrode (the label event's reason should say so). */
  overridden: string | null;
}

interface PolicyRow {
  id: string;
  max_age_hours: number;
  dataset_version_id: string | null;
  require_passing_eval: boolean;
  thresholds: unknown;
}

interface Subject {
  name: string;
  version: number;
}

async function loadSubject(tx: DbTx, check: ReleaseCheck): Promise<Subject> {
  const rows =
    check.subjectType === "prompt"
      ? await tx.$queryRaw<Subject[]>`
          SELECT p.name, v.version FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id
          WHERE v.id = ${check.versionId}::uuid`
      : await tx.$queryRaw<Subject[]>`
          SELECT m.name, v.version FROM model_versions v JOIN models m ON m.id = v.model_id
          WHERE v.id = ${check.versionId}::uuid`;
  return rows[0] ?? { name: "?", version: 0 };
}

interface RunRow {
  id: string;
  finished_at: Date;
  /** The run's own gate for this version's target. */
  passed: boolean | null;
  dataset_version_id: string;
  /** This version's target in the run. */
  position: number;
  summary: RunSummary | null;
  /** The version the run's baseline target ran, when it has one. */
  baseline_version_id: string | null;
}

/** The newest completed runs with a target for exactly this version (any age, any verdict): evidence or why not. */
async function runsOfVersion(tx: DbTx, check: ReleaseCheck): Promise<RunRow[]> {
  const column = check.subjectType === "prompt" ? "prompt_version_id" : "model_version_id";
  // The column is one of two literals above, never caller input.
  return tx.$queryRawUnsafe<RunRow[]>(
    `SELECT r.id::text, r.finished_at, r.dataset_version_id::text,
            (t.summary -> 'gate' ->> 'passed')::boolean AS passed,
            t.position, r.summary, b.${column}::text AS baseline_version_id
       FROM eval_targets t JOIN eval_runs r ON r.id = t.run_id
       LEFT JOIN eval_targets b ON b.run_id = r.id AND b.position = (r.summary ->> 'baselinePosition')::int
      WHERE r.project_id = $1::uuid AND r.status = 'completed' AND r.finished_at IS NOT NULL
        AND t.${column} = $2::uuid
      ORDER BY r.finished_at DESC
      LIMIT 200`,
    check.projectId,
    check.versionId,
  );
}

/** What the label or alias points at now (null: not set yet): the baseline a policy's changes are measured from. */
async function currentVersionId(tx: DbTx, check: ReleaseCheck): Promise<string | null> {
  const rows =
    check.subjectType === "prompt"
      ? await tx.$queryRaw<{ id: string }[]>`
          SELECT version_id::text AS id FROM prompt_labels WHERE prompt_id = ${check.subjectId}::uuid AND name = ${check.label}`
      : await tx.$queryRaw<{ id: string }[]>`
          SELECT version_id::text AS id FROM model_aliases WHERE model_id = ${check.subjectId}::uuid AND name = ${check.label}`;
  return rows[0]?.id ?? null;
}

/**
 * The policy's own bar on one run: this version's target judged by the policy's thresholds, changes measured
 * against the run's baseline target only when that target ran what the label points at now.
 */
function policyVerdict(run: RunRow, thresholds: Threshold[], current: string | null): GateVerdict {
  const targets = run.summary?.targets ?? [];
  const candidate = targets.find((t) => t.position === run.position);
  if (!candidate) return { passed: false, checks: [] };
  const baselinePosition = run.summary?.baselinePosition ?? null;
  const baseline =
    baselinePosition !== null && current !== null && run.baseline_version_id === current
      ? (targets.find((t) => t.position === baselinePosition) ?? null)
      : null;
  return evaluateGate(candidate, baseline, thresholds);
}

const hoursAgo = (date: Date) => Math.max(0, Math.round((Date.now() - date.getTime()) / 3_600_000));

/** Says what is missing, in words, with the command that supplies it. */
function refusal(
  check: ReleaseCheck,
  subject: Subject,
  policy: PolicyRow,
  runs: RunRow[],
  bar: ((run: RunRow) => GateVerdict) | null,
): string {
  const what = check.subjectType === "prompt" ? "--prompt" : "--model-name";
  const dataset = policy.dataset_version_id ? ` over dataset version ${policy.dataset_version_id}` : "";
  const head = `'${check.label}' is guarded by a release policy: version ${subject.version} of ${check.subjectType} '${subject.name}' has no passing eval run${dataset} in the last ${policy.max_age_hours} h`;
  const relevant = runs.filter((r) => !policy.dataset_version_id || r.dataset_version_id === policy.dataset_version_id);
  const newest = relevant[0];
  const missed = newest && bar ? bar(newest).checks.filter((c) => !c.passed) : [];
  const seen = !newest
    ? " (it has never been evaluated)"
    : bar
      ? missed.length
        ? ` (its newest run, ${newest.id}, misses the policy's thresholds: ${missed.map((c) => c.message).join("; ")})`
        : ` (its newest passing run finished ${hoursAgo(newest.finished_at)} h ago)`
      : newest.passed === true
        ? ` (its newest passing run finished ${hoursAgo(newest.finished_at)} h ago)`
        : newest.passed === false
          ? ` (its newest run, ${newest.id}, failed its gate)`
          : ` (its newest run, ${newest.id}, had no gate thresholds)`;
  return `${head}${seen}. Run \`npx switchyard eval ${what} ${subject.name} --candidate ${subject.version} --dataset <name> --evaluator <name> --threshold ...\`, or override with a reason (owners and admins).`;
}

/**
 * Refuses moving a guarded label or alias to a version without a passing eval run: a completed run, within the
 * policy's age, with a target for exactly that version whose gate passed (over the policy's dataset version when
 * it names one). Call it inside the move's transaction, before writing, so a refusal writes nothing. Owners and
 * admins (`releases:write`) may override with a reason, which is audited here; the caller records the reason on
 * the label event too.
 */
export async function assertReleaseAllowed(tx: DbTx, check: ReleaseCheck): Promise<ReleaseDecision> {
  const policies = await tx.$queryRaw<PolicyRow[]>`
    SELECT id::text, max_age_hours, dataset_version_id::text, require_passing_eval, thresholds FROM release_policies
    WHERE project_id = ${check.projectId}::uuid AND subject_type = ${check.subjectType}
      AND subject_id = ${check.subjectId}::uuid AND label = ${check.label}`;
  const policy = policies[0];
  if (!policy?.require_passing_eval) return { guarded: false, evidenceRunId: null, overridden: null };
  const runs = await runsOfVersion(tx, check);
  const since = Date.now() - policy.max_age_hours * 3_600_000;
  // With thresholds of its own the policy judges each run; without, the run's own gate decides.
  const thresholds = thresholdSchema.array().parse(policy.thresholds ?? []);
  const current = thresholds.length ? await currentVersionId(tx, check) : null;
  const bar = thresholds.length ? (run: RunRow) => policyVerdict(run, thresholds, current) : null;
  const evidence = runs.find(
    (r) =>
      (bar ? bar(r).passed : r.passed === true) &&
      r.finished_at.getTime() >= since &&
      (!policy.dataset_version_id || r.dataset_version_id === policy.dataset_version_id),
  );
  if (evidence) return { guarded: true, evidenceRunId: evidence.id, overridden: null };

  const subject = await loadSubject(tx, check);
  const message = refusal(check, subject, policy, runs, bar);
  if (!check.override) throw new DomainError("CONFLICT", message);
  if (!check.scopes?.includes("releases:write"))
    throw new DomainError(
      "FORBIDDEN",
      `Only owners and admins can override a release policy (needs 'releases:write'). ${message}`,
    );
  const reason = check.override.reason.trim();
  if (reason.length < 3)
    throw new DomainError("VALIDATION", "Overriding a release policy needs a reason", [
      { path: "reason", message: "Say why the policy is overridden" },
    ]);
  await recordAudit(tx, check.actor, {
    projectId: check.projectId,
    action: "release.override",
    targetType: check.subjectType,
    targetId: check.subjectId,
    summary: {
      name: subject.name,
      label: check.label,
      version: subject.version,
      reason,
      refused: message,
      policyId: policy.id,
    },
  });
  return { guarded: true, evidenceRunId: null, overridden: message };
}

/** The reason a label event records: an override says so, so the history shows which moves skipped the policy. */
export function overrideNote(decision: ReleaseDecision, reason: string): string {
  return decision.overridden ? `Release policy overridden: ${reason.trim()}` : reason;
}

/**
 * Deleting a guarded alias would let it skip the policy (a bare model name then serves the newest version, whatever
 * it is): refused while a policy requires an eval. Removing the policy first is an owner's or admin's decision.
 */
export async function assertMayRemove(
  tx: DbTx,
  check: Pick<ReleaseCheck, "projectId" | "subjectType" | "subjectId" | "label">,
): Promise<void> {
  const policies = await tx.$queryRaw<{ require_passing_eval: boolean }[]>`
    SELECT require_passing_eval FROM release_policies
    WHERE project_id = ${check.projectId}::uuid AND subject_type = ${check.subjectType}
      AND subject_id = ${check.subjectId}::uuid AND label = ${check.label}`;
  if (policies[0]?.require_passing_eval)
    throw new DomainError(
      "CONFLICT",
      `'${check.label}' is guarded by a release policy: it cannot be removed while the policy requires a passing eval. Move it to an evaluated version, or have an owner or admin remove the policy first.`,
    );
}
