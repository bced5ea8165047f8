import type { z } from "zod";
import { DomainError } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import { compileAssignment } from "@/server/modules/experiments/assignment";
import type { assignInput, assignmentOut, outcomeInput, outcomesRecorded } from "@/server/modules/experiments/schemas";
import { loadExperiment, metricsOf, toVariantOut } from "@/server/modules/experiments/service";

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

/** Why an outcome was not counted, as the REST answer says it. */
const NOT_EXPOSED = {
  unit: "unit never exposed: assign it (POST …/assign, or a gateway request with its user) before posting outcomes",
  request: "request never exposed: no assignment was logged with this requestId",
} as const;

/**
 * Records outcomes (scores or custom metrics) for units or requests, each
 * counted for the variant its unit or request was exposed to (the exposure
 * rows `assignUnits` logs). An outcome whose unit or request was never
 * exposed is not counted: it is ignored and reported, by index, with why
 * (outcomes arrive in batches; one stray unit must not lose the rest). An
 * unknown metric is a client bug: the whole batch is refused, naming it.
 */
export async function recordOutcomes(
  deps: ProjectDeps,
  input: z.output<typeof outcomeInput>,
): Promise<z.infer<typeof outcomesRecorded>> {
  const experiment = await loadExperiment(deps.db, deps.caller.projectId, input.experimentId);
  if (experiment.status === "draft") throw new DomainError("CONFLICT", "The experiment has not started");
  const defined = metricsOf(experiment.metrics);
  const metrics = new Set(defined.filter((m) => m.source === "outcomes").map((m) => m.name));
  for (const [i, o] of input.outcomes.entries()) {
    const fromFeedback = defined.find((m) => m.name === o.metric && m.source === "feedback");
    if (fromFeedback)
      throw new DomainError(
        "VALIDATION",
        `Metric '${o.metric}' is the feedback score '${fromFeedback.feedbackName}': post it as feedback on the request, not as an outcome`,
        [{ path: `outcomes.${i}.metric`, message: "A feedback metric" }],
      );
    if (!metrics.has(o.metric))
      throw new DomainError(
        "VALIDATION",
        `Unknown metric '${o.metric}'; this experiment measures ${[...metrics].join(", ") || "no posted outcomes"}`,
        [{ path: `outcomes.${i}.metric`, message: "Unknown metric" }],
      );
  }
  const byUnit = await exposedVariants(deps, experiment.id, "unitId", input.outcomes);
  const byRequest = await exposedVariants(deps, experiment.id, "requestId", input.outcomes);
  const rows = [];
  const ignored: { index: number; reason: string }[] = [];
  for (const [index, o] of input.outcomes.entries()) {
    const variantId = o.unitId ? byUnit.get(o.unitId) : byRequest.get(o.requestId!);
    if (!variantId) {
      ignored.push({ index, reason: o.unitId ? NOT_EXPOSED.unit : NOT_EXPOSED.request });
      continue;
    }
    rows.push({
      experimentId: experiment.id,
      variantId,
      unitId: o.unitId ?? null,
      requestId: o.requestId ?? null,
      metric: o.metric,
      value: o.value,
    });
  }
  if (rows.length) await deps.db.experimentOutcome.createMany({ data: rows });
  return { recorded: rows.length, ignored: ignored.length, ignoredOutcomes: ignored };
}

/**
 * The variant each unit (or request) of these outcomes was exposed to; one that was never exposed is absent.
 * An outcome with a unit id is attributed by it; one with only a request id, by the request.
 */
async function exposedVariants(
  deps: ProjectDeps,
  experimentId: string,
  by: "unitId" | "requestId",
  outcomes: z.output<typeof outcomeInput>["outcomes"],
): Promise<Map<string, string>> {
  const keys = [
    ...new Set(
      outcomes.flatMap((o) => (by === "unitId" ? (o.unitId ?? []) : !o.unitId && o.requestId ? o.requestId : [])),
    ),
  ];
  if (!keys.length) return new Map();
  const exposures = await deps.db.experimentExposure.findMany({
    where: { experimentId, [by]: { in: keys } },
    select: { unitId: true, requestId: true, variantId: true },
    distinct: [by],
    orderBy: { id: "asc" },
  });
  return new Map(exposures.map((e) => [e[by]!, e.variantId]));
}
