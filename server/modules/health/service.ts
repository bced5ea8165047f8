import { z } from "zod";
import packageJson from "@/package.json";
import type { Db } from "@/server/db";
import { getInferenceEngine } from "@/server/modules/inference/engine";

export const healthReport = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  version: z.string(),
  time: z.date(),
  database: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().nullable() }),
  migrations: z.object({
    upToDate: z.boolean(),
    applied: z.number().int(),
    pending: z.array(z.string()),
    failed: z.array(z.string()),
    error: z.string().nullable(),
  }),
  /**
   * The in-process ONNX engine: which devices work (with the reason when one does not), memory use, and each
   * loaded model's device. A model is keyed by its artifact's sha256 (one shared session) and named by the
   * registry versions that ran on it (`support-bot@2, support-bot@3`).
   */
  inference: z.object({
    preference: z.string(),
    devices: z.record(
      z.string(),
      z.object({ status: z.string(), error: z.string().optional(), reason: z.string().optional() }),
    ),
    memory: z.object({ budgetBytes: z.number(), usedBytes: z.number() }),
    models: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        device: z.string(),
        sizeBytes: z.number(),
        running: z.number(),
        waiting: z.number(),
        /** Sequences that decode together, why not when 1, and decode steps with their rows (mean batch). */
        maxBatch: z.number(),
        notBatched: z.string().nullable(),
        steps: z.number(),
        stepRows: z.number(),
      }),
    ),
  }),
});
export type HealthReport = z.infer<typeof healthReport>;

const TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS),
    ),
  ]);
}

/**
 * Database reachability and migration state; `down` (HTTP 503) when the database cannot be reached.
 * Health is public: loaded models are named by their registry versions only for a signed-in caller (or one with an
 * API key); anyone else sees `artifact <sha12>`, so project model names do not leak to anonymous callers.
 */
export async function getHealth(deps: { db: Db }, { names = false }: { names?: boolean } = {}): Promise<HealthReport> {
  const started = performance.now();
  const report: HealthReport = {
    status: "ok",
    version: packageJson.version,
    time: new Date(),
    database: { ok: true, latencyMs: null, error: null },
    migrations: { upToDate: false, applied: 0, pending: [], failed: [], error: null },
    inference: inferenceReport(names),
  };
  try {
    await withTimeout(deps.db.$queryRaw`SELECT 1`, "database check");
    report.database.latencyMs = Math.round((performance.now() - started) * 10) / 10;
  } catch (error) {
    report.status = "down";
    report.database = { ok: false, latencyMs: null, error: errorMessage(error) };
    report.migrations.error = "database unreachable";
    return report;
  }
  try {
    const { migrationStatus } = await import("@/server/database/status");
    // Ask through the app's own pool: no second connection, and no URL to pass around.
    const queryable = { query: async (text: string) => ({ rows: await deps.db.$queryRawUnsafe<unknown[]>(text) }) };
    const status = await withTimeout(migrationStatus(queryable), "migration check");
    report.migrations = { ...status, applied: status.applied.length, error: null };
    if (!status.upToDate) report.status = "degraded";
  } catch (error) {
    report.status = "degraded";
    report.migrations.error = errorMessage(error);
  }
  return report;
}

function inferenceReport(names: boolean): HealthReport["inference"] {
  const report = getInferenceEngine().devices();
  if (names) return report;
  return {
    ...report,
    models: report.models.map((m) => ({
      ...m,
      name: `${m.key.startsWith("encoder:") ? "encoder" : "artifact"} ${m.key.replace(/^encoder:/, "").slice(0, 12)}`,
    })),
  };
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Connection errors can carry the URL; never echo credentials.
  return message.replace(/postgres(ql)?:\/\/[^\s]+/g, "postgresql://…").slice(0, 300);
}

/** The health report as HTTP: 503 when the database is down, so load balancers take the replica out. */
export async function healthResponse(deps: { db: Db }, options: { names?: boolean } = {}): Promise<Response> {
  const report = await getHealth(deps, options);
  return Response.json(report, {
    status: report.status === "down" ? 503 : 200,
    headers: { "cache-control": "no-store" },
  });
}
