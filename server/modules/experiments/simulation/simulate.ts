/**
 * Simulated traffic for an experiment over the REST API, as an application
 * would send it: assign units in batches (logging exposures), then post each
 * unit's outcome drawn from the variant's true rate. Used by the
 * `scripts/simulate-experiment.ts` command and the end-to-end test.
 */
import { seededRandom } from "@/lib/random";

export interface SimulationOptions {
  baseUrl: string;
  apiKey: string;
  experimentId: string;
  units: number;
  /** True conversion rate per variant key, for the metric. */
  rates: Record<string, number>;
  metric: string;
  seed?: number;
  batch?: number;
}

export interface SimulationReport {
  assigned: Record<string, number>;
  outside: number;
  /** Units re-assigned in a second pass that came back with a different variant (must be 0). */
  changed: number;
}

async function post(options: SimulationOptions, path: string, body: unknown) {
  const response = await fetch(`${options.baseUrl}/api/rest/experiments/${options.experimentId}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${json?.error?.message ?? ""}`);
  return json;
}

export async function simulateExperiment(options: SimulationOptions): Promise<SimulationReport> {
  const rand = seededRandom(options.seed ?? 1);
  const batch = options.batch ?? 500;
  const report: SimulationReport = { assigned: {}, outside: 0, changed: 0 };
  const variantOf = new Map<string, string>();
  for (let start = 0; start < options.units; start += batch) {
    const unitIds = Array.from({ length: Math.min(batch, options.units - start) }, (_, i) => `user-${start + i}`);
    const assignments = (await post(options, "assign", { unitIds })) as {
      unitId: string;
      variant: { key: string } | null;
    }[];
    const outcomes = [];
    for (const a of assignments) {
      if (!a.variant) {
        report.outside++;
        continue;
      }
      variantOf.set(a.unitId, a.variant.key);
      report.assigned[a.variant.key] = (report.assigned[a.variant.key] ?? 0) + 1;
      outcomes.push({
        unitId: a.unitId,
        metric: options.metric,
        value: rand() < (options.rates[a.variant.key] ?? 0) ? 1 : 0,
      });
    }
    if (outcomes.length) await post(options, "outcomes", { outcomes });
  }
  // Stickiness: ask again for a sample of units; each must get the same variant.
  const sample = [...variantOf.keys()].slice(0, Math.min(1000, variantOf.size));
  for (let start = 0; start < sample.length; start += batch) {
    const again = (await post(options, "assign", { unitIds: sample.slice(start, start + batch) })) as {
      unitId: string;
      variant: { key: string } | null;
    }[];
    for (const a of again) if (a.variant?.key !== variantOf.get(a.unitId)) report.changed++;
  }
  return report;
}
