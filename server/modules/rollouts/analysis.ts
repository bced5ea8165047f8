// The rollout analysis (run every 10 s by the `rollouts.analysis` system job): each live rollout's current window
// is judged per arm; a failing window rolls the rollout back at once, a passing one whose step has lasted its
// duration advances it (or waits for a person, or promotes after the last step). The automatic actor only ever
// rolls back, or moves forward on a passing analysis: too few samples is never a pass.
import { type Judgement, judgeWindow } from "@/lib/rollouts/judge";
import { type ArmMetrics, type RolloutStep, rolloutAnalysisSchema } from "@/lib/rollouts/schemas";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { findDomainError } from "@/server/errors";
import type { Rollout } from "@/server/generated/prisma/client";
import { armMetrics } from "./metrics";
import { promoteRollout } from "./service";
import { ANALYSIS_ACTOR, recordEvent, transition } from "./store";
import { sendWebhook, type WebhookResult } from "./webhook";

/** An analysis event is written when something happens, else at most this often (the console's chart). */
const ANALYSIS_EVENT_EVERY_MS = 30_000;

export interface AnalysisOptions {
  /** The clock (tests move it past a step's duration instead of sleeping). */
  now?: Date;
  /** Delivers webhooks; default `sendWebhook` (tests may count calls). */
  notify?: (url: string, payload: unknown) => Promise<WebhookResult>;
}

type Outcome = "waiting" | "held" | "advanced" | "paused" | "promoted" | "rolled_back" | "promotion_refused";

export interface RolloutOutcome {
  id: string;
  outcome: Outcome;
  reason: string | null;
}

/** Judges every live rollout once; one failing rollout never stops the others from being judged. */
export async function analyzeRollouts(db: Db, options: AnalysisOptions = {}): Promise<RolloutOutcome[]> {
  const live = await db.rollout.findMany({
    where: { status: { in: ["running", "paused"] } },
    orderBy: { createdAt: "asc" },
  });
  const outcomes: RolloutOutcome[] = [];
  for (const rollout of live) {
    try {
      outcomes.push(await analyzeRollout(db, rollout, options));
    } catch (error) {
      // Someone acted on it meanwhile (paused, aborted): the next run sees the new state.
      if (findDomainError(error)?.code === "CONFLICT") continue;
      throw error;
    }
  }
  return outcomes;
}

async function analyzeRollout(db: Db, rollout: Rollout, options: AnalysisOptions = {}): Promise<RolloutOutcome> {
  const now = options.now ?? new Date();
  const steps = rollout.steps as RolloutStep[];
  const step = steps[rollout.currentStep];
  const analysis = rolloutAnalysisSchema.parse(rollout.analysis ?? {});
  const arm = (versionId: string) =>
    armMetrics(db, {
      projectId: rollout.projectId,
      subjectType: rollout.subjectType as "prompt" | "model",
      versionId,
      from: rollout.stepStartedAt,
      to: now,
      analysis,
    });
  const [stable, candidate] = await Promise.all([arm(rollout.stableVersionId), arm(rollout.candidateVersionId)]);
  const judgement = judgeWindow(analysis, stable, candidate);
  const elapsed = now.getTime() - rollout.stepStartedAt.getTime() >= step.durationSeconds * 1000;

  let outcome: Outcome = judgement.verdict === "waiting" ? "waiting" : "held";
  if (judgement.verdict === "fail") outcome = "rolled_back";
  else if (judgement.verdict === "pass" && elapsed && rollout.status === "running")
    outcome = step.pause ? "paused" : rollout.currentStep + 1 >= steps.length ? "promoted" : "advanced";

  await recordAnalysis(db, rollout, {
    now,
    stable,
    candidate,
    judgement,
    acting: outcome !== "waiting" && outcome !== "held",
  });
  const atStep = rollout.currentStep;
  const metrics = { stable, candidate, criteria: judgement.criteria };
  if (outcome === "rolled_back") {
    const reason = judgement.reason ?? "analysis failed";
    await db.$transaction((tx) =>
      transition(tx, rollout, ANALYSIS_ACTOR, {
        from: ["running", "paused"],
        atStep,
        data: { status: "rolled_back", candidatePercent: 0, reason, finishedAt: now },
        event: { kind: "rolled_back", detail: { reason, step: atStep, percent: rollout.candidatePercent } },
        audit: "rollout.rollback",
      }),
    );
    await deliver(db, rollout, "rolled_back", reason, metrics, options);
    return { id: rollout.id, outcome, reason };
  }
  if (outcome === "paused") {
    const reason = `step ${atStep + 1} (${step.percent} %) passed: waiting for a person to resume`;
    await db.$transaction((tx) =>
      transition(tx, rollout, ANALYSIS_ACTOR, {
        from: ["running"],
        atStep,
        data: { status: "paused", reason },
        event: { kind: "paused", detail: { reason, step: atStep, awaitingNextStep: true } },
        audit: "rollout.pause",
      }),
    );
    return { id: rollout.id, outcome, reason };
  }
  if (outcome === "advanced") {
    const next = atStep + 1;
    await db.$transaction((tx) =>
      transition(tx, rollout, ANALYSIS_ACTOR, {
        from: ["running"],
        atStep,
        data: { currentStep: next, candidatePercent: steps[next].percent, stepStartedAt: now },
        event: { kind: "step", detail: { step: next, percent: steps[next].percent, from: step.percent } },
        audit: "rollout.step",
      }),
    );
    return { id: rollout.id, outcome, reason: null };
  }
  if (outcome === "promoted") {
    const reason = `all ${steps.length} steps passed`;
    try {
      await promoteRollout({ db, caller: systemCaller(rollout.projectId, ANALYSIS_ACTOR) }, { id: rollout.id, reason });
    } catch (error) {
      const refused = findDomainError(error);
      if (!refused || refused.code === "CONFLICT") throw error;
      // A release policy (or a protected label) refused the move: a person decides, with the evidence on screen.
      const why = `promotion refused: ${refused.message}`;
      await db.$transaction((tx) =>
        transition(tx, rollout, ANALYSIS_ACTOR, {
          from: ["running"],
          atStep,
          data: { status: "paused", reason: why },
          event: { kind: "paused", detail: { reason: why, step: atStep } },
          audit: "rollout.pause",
        }),
      );
      return { id: rollout.id, outcome: "promotion_refused", reason: why };
    }
    await deliver(db, rollout, "promoted", reason, metrics, options);
    return { id: rollout.id, outcome, reason };
  }
  return { id: rollout.id, outcome, reason: judgement.reason };
}

async function recordAnalysis(
  db: Db,
  rollout: Rollout,
  window: { now: Date; stable: ArmMetrics; candidate: ArmMetrics; judgement: Judgement; acting: boolean },
) {
  if (!window.acting) {
    const last = await db.rolloutEvent.findFirst({
      where: { rolloutId: rollout.id, kind: "analysis" },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    });
    if (last && window.now.getTime() - last.createdAt.getTime() < ANALYSIS_EVENT_EVERY_MS) return;
  }
  await recordEvent(
    db,
    rollout.id,
    "analysis",
    {
      step: rollout.currentStep,
      percent: rollout.candidatePercent,
      from: rollout.stepStartedAt.toISOString(),
      to: window.now.toISOString(),
      verdict: window.judgement.verdict,
      reason: window.judgement.reason,
      criteria: window.judgement.criteria,
      stable: window.stable,
      candidate: window.candidate,
    },
    ANALYSIS_ACTOR,
  );
}

async function deliver(
  db: Db,
  rollout: Rollout,
  status: string,
  reason: string,
  metrics: Record<string, unknown>,
  options: AnalysisOptions,
) {
  if (!rollout.webhookUrl) return;
  const payload = {
    rollout: {
      id: rollout.id,
      projectId: rollout.projectId,
      subjectType: rollout.subjectType,
      subjectId: rollout.subjectId,
      label: rollout.label,
      stableVersionId: rollout.stableVersionId,
      candidateVersionId: rollout.candidateVersionId,
      step: rollout.currentStep,
    },
    status,
    reason,
    metrics,
  };
  const result = await (options.notify ?? sendWebhook)(rollout.webhookUrl, payload);
  await recordEvent(db, rollout.id, "webhook", { ...result, status: result.status, event: status }, ANALYSIS_ACTOR);
}
