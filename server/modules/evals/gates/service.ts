// CI gates: an eval run of a candidate version against a baseline (default: what `production` points at), with
// thresholds; its verdict is read back while it runs and once it ends. The CLI (bin/switchyard.mjs) drives these.
import type { z } from "zod";
import type { Threshold } from "@/lib/evals/gate";
import type { createGateInput, createGateOut, GateView } from "@/lib/evals/gate-requests";
import type { RunSummary, TargetSummary } from "@/lib/evals/summary";
import { DomainError, notFound } from "@/server/errors";
import type { ServiceDeps } from "@/server/modules/deps";
import {
  baselineVersion,
  candidateVersion,
  evaluatorRef,
  findDatasetVersion,
  findSubject,
  type ResolvedVersion,
  type Subject,
} from "@/server/modules/evals/gates/resolve";
import { createEvalRun } from "@/server/modules/evals/runs/service";

type CreateGate = z.output<typeof createGateInput>;

/** Without a baseline only absolute bounds can be judged: comparisons are dropped, and the notes say which. */
function absoluteOnly(thresholds: Threshold[]): { kept: Threshold[]; dropped: string[] } {
  const kept: Threshold[] = [];
  const dropped: string[] = [];
  for (const t of thresholds) {
    if (t.minAbsoluteChange !== undefined || t.minRelativeChange !== undefined)
      dropped.push(`${t.metric}${t.stat === "pass_rate" ? ".pass_rate" : ""}`);
    const { minAbsoluteChange: _a, minRelativeChange: _r, ...rest } = t;
    if (rest.threshold !== undefined) kept.push(rest);
  }
  return { kept, dropped };
}

/** The run's console page (the eval-runs pages live under /projects/<id>/evals/runs) and this API's answer. */
const links = (projectId: string, id: string) => ({
  console: `/projects/${projectId}/evals/${id}`,
  api: `/api/rest/eval-gates/${id}`,
});

function target(subject: Subject, v: ResolvedVersion, role: string, model: string | undefined) {
  const label = `${subject.name} ${v.label === `v${v.version}` ? `v${v.version}` : `${v.label} (v${v.version})`} · ${role}`;
  return {
    ...(subject.type === "prompt" ? { promptVersionId: v.id } : { modelVersionId: v.id }),
    ...(model ? { model } : {}),
    params: {},
    label,
  };
}

/** Starts the gate's eval run: the baseline first (when there is one), then the candidate. */
export async function createGate(deps: ServiceDeps, input: CreateGate): Promise<z.infer<typeof createGateOut>> {
  const { caller, db } = deps;
  if (input.model && input.modelName)
    throw new DomainError("VALIDATION", "model overrides a prompt's model: a model gate names its model in modelName", [
      { path: "model", message: "Only for prompt gates" },
    ]);
  const subject = await findSubject(db, caller.projectId, input);
  const candidate = await candidateVersion(db, subject, input.candidate);
  let { version: baseline, note } = await baselineVersion(db, subject, input.baseline);
  if (baseline && baseline.id === candidate.id) {
    note = `'${input.baseline}' already points at the candidate (v${candidate.version}): no baseline, absolute thresholds only.`;
    baseline = null;
  }
  const datasetVersionId = await findDatasetVersion(db, caller.projectId, input.dataset);
  const notes = note ? [note] : [];
  let thresholds = input.thresholds;
  if (!baseline) {
    const { kept, dropped } = absoluteOnly(thresholds);
    if (dropped.length) notes.push(`Comparisons with the baseline were not checked for: ${dropped.join(", ")}.`);
    if (kept.length === 0)
      throw new DomainError(
        "VALIDATION",
        `${note ?? "There is no baseline."} Every threshold compares with the baseline, so nothing would be checked: add an absolute threshold (e.g. overall.mean>=0.8) or name a baseline version.`,
        [{ path: "thresholds", message: "Nothing to check without a baseline" }],
      );
    thresholds = kept;
  }
  const targets = [
    ...(baseline ? [target(subject, baseline, "baseline", input.model)] : []),
    target(subject, candidate, "candidate", input.model),
  ];
  const run = await createEvalRun(
    {
      db,
      projectId: caller.projectId,
      createdBy: { userId: caller.actor.userId, label: caller.actor.label },
      apiKeyId: caller.actor.keyId,
    },
    {
      name: `gate: ${subject.type} ${subject.name} v${candidate.version}${baseline ? ` vs ${baseline.label === `v${baseline.version}` ? baseline.label : `${baseline.label} (v${baseline.version})`}` : ""}`,
      datasetVersionId,
      targets,
      evaluators: input.evaluators.map(evaluatorRef),
      trials: input.trials,
      concurrency: input.concurrency,
      ...(input.caseLimit ? { caseLimit: input.caseLimit } : {}),
      ...(input.budgetUsd ? { budgetUsd: input.budgetUsd } : {}),
      thresholds,
      ...(baseline ? { baselineTarget: 0 } : {}),
    },
  );
  return {
    id: run.id,
    jobId: run.jobId,
    candidate,
    baseline,
    datasetVersionId,
    notes,
    links: links(deps.caller.projectId, run.id),
  };
}

const asSummary = (value: unknown): RunSummary | null =>
  value && typeof value === "object" && Array.isArray((value as RunSummary).targets) ? (value as RunSummary) : null;

/**
 * A gate's state and verdict: any eval run works (the CLI's `--run <id>` waits on one it did not start). The
 * candidate is the first target that is not the baseline; the verdict is the one the run wrote when it ended.
 */
export async function getGate(deps: ServiceDeps, { id }: { id: string }): Promise<GateView> {
  const run = await deps.db.evalRun.findFirst({
    where: { id, projectId: deps.caller.projectId },
    select: { id: true, name: true, status: true, doneCases: true, totalCases: true, error: true, summary: true },
  });
  if (!run) throw notFound("Eval run", id);
  const summary = asSummary(run.summary);
  const notes: string[] = [];
  let candidate: TargetSummary | null = null;
  let baseline: TargetSummary | null = null;
  if (summary) {
    const byPosition = [...summary.targets].sort((a, b) => a.position - b.position);
    baseline = byPosition.find((t) => t.position === summary.baselinePosition) ?? null;
    candidate = byPosition.find((t) => t.position !== summary.baselinePosition) ?? null;
    if (!baseline) notes.push("No baseline: the candidate was judged on absolute thresholds only.");
    if (byPosition.length > (baseline ? 2 : 1))
      notes.push(`The run has ${byPosition.length} targets: the verdict shown is the first non-baseline one's.`);
  }
  const gate = candidate?.gate ?? null;
  if (run.status === "completed" && !gate) notes.push("The run had no gate thresholds: there is no verdict.");
  const strip = (t: TargetSummary | null) => {
    if (!t) return null;
    const { gate: _gate, ...rest } = t;
    return rest;
  };
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    doneCases: run.doneCases,
    totalCases: run.totalCases,
    error: run.error,
    passed: run.status === "completed" && gate ? gate.passed : null,
    gate,
    candidate: strip(candidate),
    baseline: strip(baseline),
    notes,
    links: links(deps.caller.projectId, run.id),
  };
}
