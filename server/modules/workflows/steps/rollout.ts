// rollout: starts a canary rollout (createRollout) and, unless `wait: false`, waits until it is promoted or
// rolled back. A rollout rolled back or aborted fails the step.
import type { CreateRolloutInput } from "@/lib/rollouts/schemas";
import { createRollout } from "@/server/modules/rollouts/service";
import { positiveInt, subjectOf, versionIdOf } from "./subjects";
import { StepFailed, type StepRun } from "./types";
import { waitFor } from "./wait";

const FINAL_ROLLOUT = ["promoted", "rolled_back", "aborted"];

export const rolloutStep: StepRun = async (ctx) => {
  let rolloutId = ctx.previous.outputs?.rollout_id as string | undefined;
  if (rolloutId) ctx.log(`Re-attached to rollout ${rolloutId}`);
  else {
    const subject = await subjectOf(ctx);
    const version = positiveInt(ctx.with.version, "version");
    const input: CreateRolloutInput = {
      subjectType: subject.type,
      subjectId: subject.id,
      label: String(ctx.with.label ?? "production"),
      candidateVersionId: await versionIdOf(ctx, subject, version),
      steps: ctx.with.steps as CreateRolloutInput["steps"],
      ...(ctx.with.analysis ? { analysis: ctx.with.analysis as CreateRolloutInput["analysis"] } : {}),
      ...(ctx.with.webhook_url ? { webhookUrl: String(ctx.with.webhook_url) } : {}),
    };
    rolloutId = (await createRollout({ db: ctx.db, projectId: ctx.projectId, actor: ctx.caller.actor }, input)).id;
    await ctx.attach({ rollout_id: rolloutId });
    ctx.log(`Started rollout ${rolloutId} of ${subject.name} v${version}`);
  }
  if (ctx.with.wait === false) return { rollout_id: rolloutId, status: "running", reason: null };
  const id = rolloutId;
  const rollout = await waitFor(
    ctx,
    () => ctx.db.rollout.findUniqueOrThrow({ where: { id }, select: { status: true, reason: true } }),
    (r) => FINAL_ROLLOUT.includes(r.status),
    null,
  );
  const outputs = { rollout_id: id, status: rollout.status, reason: rollout.reason };
  if (rollout.status !== "promoted")
    throw new StepFailed(`The rollout ${rollout.status}: ${rollout.reason ?? ""}`, outputs);
  return outputs;
};
