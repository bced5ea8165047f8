// promote: moves a prompt label or a model alias through the same functions people use (so release policies,
// protected labels and the audit log apply, with the run's scopes).
import { findDomainError } from "@/server/errors";
import { moveAlias } from "@/server/modules/models/aliases";
import { moveLabel } from "@/server/modules/prompts/labels";
import { positiveInt, subjectOf } from "./subjects";
import type { StepRun } from "./types";

export const promoteStep: StepRun = async (ctx) => {
  const subject = await subjectOf(ctx);
  const version = positiveInt(ctx.with.version, "version");
  const label = String(ctx.with.label);
  const reason = String(ctx.with.reason ?? `workflow run ${ctx.runId}, step ${ctx.stepId}`);
  const deps = { db: ctx.db, caller: ctx.caller };
  try {
    const event =
      subject.type === "prompt"
        ? await moveLabel(deps, { promptId: subject.id, label, version, reason, overridePolicy: false })
        : await moveAlias(deps, { modelId: subject.id, alias: label, version, reason, overridePolicy: false });
    ctx.log(`${subject.name}@${label}: ${event.fromVersion ?? "none"} → ${version}`);
    return { from_version: event.fromVersion ?? null, to_version: version };
  } catch (error) {
    // Already there (a resumed run moved it before the restart): nothing to do, not a failure.
    const domain = findDomainError(error);
    if (domain?.code === "CONFLICT" && domain.message.includes("already points at")) {
      ctx.log(`${subject.name}@${label} already points at ${version}`);
      return { from_version: version, to_version: version };
    }
    throw error;
  }
};
