// `eval.online`: scores a flush's sampled requests of one project with their rules' evaluators and stores one
// online_eval_scores row per (rule, request) — ON CONFLICT DO NOTHING, so a retried job never scores twice.
// Bodies leave the payload as soon as they are scored (with body logging off, nowhere else holds them).
import { z } from "zod";
import type { Db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import { defineJobKind, type JobContext, PermanentJobError } from "@/server/modules/jobs/kinds";
import { gatewayModelCaller } from "../model-call";
import { loadEvaluatorSpecs, scoreSample } from "../score";
import type { CaseScore, EvaluatorSpec } from "../types";
import { type OnlineSample, onlineSampleSchema } from "./samples";

const payloadSchema = z.object({ samples: z.array(onlineSampleSchema).max(1000) });
type Payload = z.infer<typeof payloadSchema>;

export const onlineEvalJob = defineJobKind<Payload>({
  kind: "eval.online",
  payload: payloadSchema,
  // Judges call models: a project's online scoring takes at most two workers' slots, whatever its traffic.
  perProject: 2,
  perProcess: 4,
  maxAttempts: 3,
  timeoutSeconds: 600,
  retryDelaySeconds: 5,
  run: runOnlineEval,
});

async function runOnlineEval(ctx: JobContext<Payload>) {
  const projectId = ctx.job.projectId;
  if (!projectId) throw new PermanentJobError("eval.online needs a project");
  const { db } = ctx;
  const samples = ctx.job.payload.samples.filter((s) => s.messages !== null && s.output !== null);
  const rules = await db.onlineEvalRule.findMany({
    where: { projectId, id: { in: [...new Set(samples.map((s) => s.ruleId))] } },
    select: { id: true, evaluatorVersionId: true },
  });
  const evaluatorOf = new Map(rules.map((r) => [r.id, r.evaluatorVersionId]));
  const done = await alreadyScored(db, samples);
  const specs = new Map<string, EvaluatorSpec[]>();
  const caller = gatewayModelCaller(db, { projectId, apiKeyId: null, tag: `online_${ctx.job.id}`, log: "write" });
  const failed: OnlineSample[] = [];
  let scored = 0;
  try {
    for (const sample of samples) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const evaluatorVersionId = evaluatorOf.get(sample.ruleId);
      // A rule deleted since the request was sampled: nothing to score it for.
      if (!evaluatorVersionId || done.has(`${sample.ruleId}:${sample.requestId}`)) continue;
      try {
        let spec = specs.get(evaluatorVersionId);
        if (!spec) {
          spec = await loadEvaluatorSpecs(db, projectId, [{ evaluatorVersionId, weight: 1 }]);
          specs.set(evaluatorVersionId, spec);
        }
        const result = await scoreSample({ db, projectId, callModel: caller.call, signal: ctx.signal }, spec, {
          input: { messages: sample.messages ?? [] },
          output: sample.output ?? "",
          expected: null,
          metadata: { requestId: sample.requestId },
        });
        await storeScore(db, projectId, sample, result);
        scored++;
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        failed.push(sample);
        ctx.log(`request ${sample.requestId}, rule ${sample.ruleId}: ${(error as Error).message}`, "warn");
      }
      ctx.progress(scored + failed.length, samples.length);
    }
  } finally {
    await caller.close();
  }
  // Keep only the bodies a retry still needs; after the last attempt, none.
  const last = ctx.job.attempt >= onlineEvalJob.maxAttempts;
  const keep = last ? [] : failed;
  await db.job.update({
    where: { id: ctx.job.id },
    data: { payload: { samples: keep } as unknown as Prisma.InputJsonValue },
  });
  if (failed.length > 0) throw new Error(`${failed.length} of ${samples.length} samples could not be scored`);
  return { scored };
}

async function alreadyScored(db: Db, samples: OnlineSample[]): Promise<Set<string>> {
  if (samples.length === 0) return new Set();
  const rows = await db.onlineEvalScore.findMany({
    where: { requestId: { in: [...new Set(samples.map((s) => s.requestId))] } },
    select: { ruleId: true, requestId: true },
  });
  return new Set(rows.map((r) => `${r.ruleId}:${r.requestId}`));
}

function storeScore(db: Db, projectId: string, sample: OnlineSample, result: CaseScore) {
  const reason = result.scores
    .map((s) => s.reason)
    .filter(Boolean)
    .join("; ")
    .slice(0, 2000);
  return db.$executeRaw`
    INSERT INTO online_eval_scores
      (id, project_id, rule_id, request_id, request_started_at, model_version_id, prompt_version_id,
       score, passed, reason, cost_usd)
    VALUES (gen_random_uuid(), ${projectId}::uuid, ${sample.ruleId}::uuid, ${sample.requestId}::uuid,
       ${new Date(sample.requestStartedAt)}, ${sample.modelVersionId}::uuid, ${sample.promptVersionId}::uuid,
       ${result.score}, ${result.passed}, ${reason}, ${result.costUsd})
    ON CONFLICT (rule_id, request_id) DO NOTHING`;
}
