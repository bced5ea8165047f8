import type { z } from "zod";
import { DomainError } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import { compileAssignment } from "@/server/modules/experiments/assignment";
import type { assignInput, assignmentOut, outcomeInput } from "@/server/modules/experiments/schemas";
import { loadExperiment, toVariantOut } from "@/server/modules/experiments/service";

type Assignment = z.infer<typeof assignmentOut>;

/** Hashing ranges for the experiment as it is now (salt, traffic share, weights). */
function compileFor(experiment: { salt: string; trafficShare: number; variants: { key: string; weight: number }[] }) {
  return compileAssignment({
    salt: experiment.salt,
    trafficShare: experiment.trafficShare,
    variants: experiment.variants.map((v) => ({ key: v.key, weight: v.weight })),
  });
}

/**
 * Serves variants: each unit id is hashed with the experiment's salt, so the
 * same unit always gets the same variant on every replica with no lookup;
 * every serve is logged as an exposure. Without unit ids one request is
 * assigned at random and marked non-sticky.
 */
export async function assignUnits(deps: ProjectDeps, input: z.output<typeof assignInput>): Promise<Assignment[]> {
  const experiment = await loadExperiment(deps.db, deps.caller.projectId, input.experimentId);
  if (experiment.status !== "running")
    throw new DomainError(
      "CONFLICT",
      `The experiment is ${experiment.status}: only running experiments assign variants`,
    );
  const compiled = compileFor(experiment);
  const units: (string | null)[] = input.unitIds?.length ? input.unitIds : [null];
  const results: Assignment[] = [];
  const exposures: {
    experimentId: string;
    variantId: string;
    unitId: string | null;
    requestId: string | null;
    sticky: boolean;
  }[] = [];
  for (const unitId of units) {
    const picked = compiled.assign(unitId ?? undefined, Math.random);
    const variant = picked.variantKey ? experiment.variants.find((v) => v.key === picked.variantKey)! : null;
    results.push({
      unitId,
      requestId: input.requestId ?? null,
      variant: variant ? toVariantOut(variant) : null,
      sticky: picked.sticky,
    });
    if (variant)
      exposures.push({
        experimentId: experiment.id,
        variantId: variant.id,
        unitId,
        requestId: input.requestId ?? null,
        sticky: picked.sticky,
      });
  }
  if (exposures.length) await deps.db.experimentExposure.createMany({ data: exposures });
  return results;
}

/**
 * Records outcomes (scores or custom metrics) for units or requests. The
 * variant is recomputed from the unit id (sticky hashing) or read from the
 * request's exposure; anything that cannot be attributed is refused, all or
 * nothing, with the offending item named.
 */
export async function recordOutcomes(deps: ProjectDeps, input: z.output<typeof outcomeInput>) {
  const experiment = await loadExperiment(deps.db, deps.caller.projectId, input.experimentId);
  if (experiment.status === "draft") throw new DomainError("CONFLICT", "The experiment has not started");
  const metrics = new Set((experiment.metrics as { name: string }[]).map((m) => m.name));
  const compiled = compileFor(experiment);
  const requestIds = [...new Set(input.outcomes.flatMap((o) => (!o.unitId && o.requestId ? [o.requestId] : [])))];
  const byRequest = new Map(
    (
      await deps.db.experimentExposure.findMany({
        where: { experimentId: experiment.id, requestId: { in: requestIds } },
        select: { requestId: true, variantId: true },
      })
    ).map((e) => [e.requestId, e.variantId]),
  );
  const rows = input.outcomes.map((o, i) => {
    if (!metrics.has(o.metric))
      throw new DomainError(
        "VALIDATION",
        `Unknown metric '${o.metric}'; this experiment measures ${[...metrics].join(", ")}`,
        [{ path: `outcomes.${i}.metric`, message: "Unknown metric" }],
      );
    let variantId: string | undefined;
    if (o.unitId) {
      const key = compiled.assign(o.unitId).variantKey;
      variantId = experiment.variants.find((v) => v.key === key)?.id;
    } else variantId = byRequest.get(o.requestId!);
    if (!variantId)
      throw new DomainError(
        "UNPROCESSABLE",
        `Outcome ${i} belongs to no variant: the unit is outside the experiment or the request was never exposed`,
        [{ path: `outcomes.${i}`, message: "Not in the experiment" }],
      );
    return {
      experimentId: experiment.id,
      variantId,
      unitId: o.unitId ?? null,
      requestId: o.requestId ?? null,
      metric: o.metric,
      value: o.value,
    };
  });
  await deps.db.experimentOutcome.createMany({ data: rows });
  return { recorded: rows.length };
}
