import type { z } from "zod";
import type { RunStats } from "@/lib/run-stream";
import type { AbortLike } from "@/server/abort";
import type { Caller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import type { ServiceDeps } from "@/server/modules/deps";
import { providerToApi } from "@/server/modules/models/mapping";
import { type GenerationParams, generationParams } from "@/server/modules/models/schemas";
import { resolveModelRef } from "@/server/modules/models/service";
import { runCost } from "@/server/modules/runs/cost";
import { streamLocal } from "@/server/modules/runs/local";
import type { PlaygroundSlot, RunEvent, runRequest } from "@/server/modules/runs/schemas";
import { type EngineEvent, streamUpstream } from "@/server/modules/runs/upstream";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function resolveTarget(db: Db, projectId: string, ref: string) {
  if (UUID.test(ref)) {
    const version = await db.modelVersion.findFirst({
      where: { id: ref, model: { projectId } },
      include: { model: true, artifact: true },
    });
    if (!version) throw notFound("Model version", ref);
    return { model: version.model, version };
  }
  const { model, version } = await resolveModelRef({ db }, projectId, ref);
  const full = await db.modelVersion.findUniqueOrThrow({ where: { id: version.id }, include: { artifact: true } });
  return { model, version: full };
}

export type PreparedRun = Awaited<ReturnType<typeof prepareRun>>;

/** Validates the request and finds the model version: every "bad request" and "not found" surfaces here, before any stream starts. */
export async function prepareRun(deps: ServiceDeps, request: z.output<typeof runRequest>, source = "playground") {
  const { caller } = deps;
  const { model, version } = await resolveTarget(deps.db, caller.projectId, request.model);
  if (model.provider === "onnx_local" && !version.artifact)
    throw new DomainError("UNPROCESSABLE", `v${version.version} of ${model.name} has no artifact`);
  // The version's defaults, overridden by what the caller set.
  const params: GenerationParams = {
    ...generationParams.partial().parse(version.defaultParams ?? {}),
    ...request.params,
  };
  return { db: deps.db, caller, request, model, version, params, source };
}

/**
 * Runs one prepared generation (playground, later the gateway) against a
 * local ONNX version or an upstream endpoint, streaming text as it comes, and
 * records what it measured (TTFT, time per output token, tokens, device,
 * cost) as an InferenceRun — failed runs too, with their error.
 */
export async function* executeRun(prepared: PreparedRun, signal: AbortLike): AsyncGenerator<RunEvent> {
  const { db, caller, request, model, version, params, source } = prepared;
  const started = performance.now();
  const events: AsyncGenerator<EngineEvent> =
    model.provider === "onnx_local"
      ? streamLocal(version.artifact!, request.input, params, signal, {
          variant: version.onnxVariant,
          contextLength: model.contextLength,
          name: `${model.name}@${version.version}`,
        })
      : streamUpstream(
          {
            provider: providerToApi(model.provider) as "openai-compatible" | "anthropic",
            endpointBaseUrl: version.endpointBaseUrl!,
            upstreamModelId: version.upstreamModelId!,
            apiKeyCiphertext: version.apiKeyCiphertext,
          },
          request.input,
          params,
          signal,
          // The playground's calls take the project's share of the upstream's connections, per user or key.
          {
            requester: {
              projectId: caller.projectId,
              keyId: caller.actor.keyId ?? caller.actor.userId,
              hops: 0,
              via: [],
            },
          },
        );
  let text = "";
  // Set once the run's outcome is recorded; a run that ends without one was stopped by its caller.
  let recorded = false;
  try {
    for await (const event of events) {
      if (event.type === "text") {
        text += event.text;
        yield event;
        continue;
      }
      const stats: RunStats = {
        device: event.device,
        ttftMs: event.ttftMs,
        tpotMs:
          event.ttftMs !== null && event.tokensOut > 1
            ? (event.durationMs - event.ttftMs) / (event.tokensOut - 1)
            : null,
        tokensPerSecond: event.durationMs > 0 ? (event.tokensOut * 1000) / event.durationMs : null,
        tokensIn: event.tokensIn,
        tokensOut: event.tokensOut,
        durationMs: event.durationMs,
        finishReason: signal.aborted ? "abort" : event.finishReason,
        costUsd: runCost(
          {
            priceInputPerMTok: model.priceInputPerMTok?.toNumber() ?? null,
            priceOutputPerMTok: model.priceOutputPerMTok?.toNumber() ?? null,
            pricePerComputeSecond: model.pricePerComputeSecond?.toNumber() ?? null,
          },
          event,
        ),
      };
      recorded = true;
      const run = await recordRun(db, caller, version.id, source, stats, null);
      await saveSlot(db, caller.projectId, request, {
        text,
        stats,
        error: null,
        model: `${model.name}@${version.version}`,
        ...(signal.aborted ? { stopped: true } : {}),
      });
      yield { type: "done", stats, runId: run.id };
    }
  } catch (error) {
    // Stopped by the caller (the playground's Stop): not a failure, whatever the engine threw on abort.
    if (signal.aborted) return;
    recorded = true;
    const message = error instanceof Error ? error.message : String(error);
    const durationMs = performance.now() - started;
    await recordRun(
      db,
      caller,
      version.id,
      source,
      {
        device: "unknown",
        ttftMs: null,
        tpotMs: null,
        tokensPerSecond: null,
        tokensIn: 0,
        tokensOut: 0,
        durationMs,
        finishReason: "error",
        costUsd: 0,
      },
      message,
    );
    await saveSlot(db, caller.projectId, request, {
      text,
      stats: null,
      error: message,
      model: `${model.name}@${version.version}`,
    });
    throw error;
  } finally {
    // Also reached when the stream's reader hangs up and the generator is returned at a `yield`.
    if (!recorded && signal.aborted) {
      await recordRun(db, caller, version.id, source, stoppedStats(performance.now() - started), null);
      await saveSlot(db, caller.projectId, request, {
        text,
        stats: null,
        error: null,
        model: `${model.name}@${version.version}`,
        stopped: true,
      });
    }
  }
}

const stoppedStats = (durationMs: number): RunStats => ({
  device: "unknown",
  ttftMs: null,
  tpotMs: null,
  tokensPerSecond: null,
  tokensIn: 0,
  tokensOut: 0,
  durationMs,
  finishReason: "stopped",
  costUsd: 0,
});

function recordRun(db: Db, caller: Caller, versionId: string, source: string, stats: RunStats, error: string | null) {
  return db.inferenceRun.create({
    data: {
      projectId: caller.projectId,
      modelVersionId: versionId,
      source,
      device: stats.device,
      ttftMs: stats.ttftMs,
      tpotMs: stats.tpotMs,
      tokensPerSecond: stats.tokensPerSecond,
      durationMs: stats.durationMs,
      tokensIn: stats.tokensIn,
      tokensOut: stats.tokensOut,
      costUsd: stats.costUsd,
      finishReason: stats.finishReason,
      error,
    },
  });
}

/** Fills one column of a saved playground run; parallel columns update the same row safely in one statement each. */
async function saveSlot(
  db: Db,
  projectId: string,
  request: { playgroundRunId?: string; slot?: number },
  result: PlaygroundSlot,
) {
  if (!request.playgroundRunId || request.slot === undefined) return;
  const json = JSON.stringify(result) as unknown as Prisma.InputJsonValue;
  await db.$executeRaw`
    UPDATE playground_runs SET results = jsonb_set(results, ARRAY[${String(request.slot)}], ${json}::jsonb, true)
    WHERE id = ${request.playgroundRunId}::uuid AND project_id = ${projectId}::uuid`;
}
