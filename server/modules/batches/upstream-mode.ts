// Upstream mode: the whole batch is forwarded to the upstream's own Batch API (often half the price), polled,
// and its results brought back into the same item rows, log rows and output files as a gateway-mode batch.
// Only for a batch whose every line names one OpenAI-compatible upstream model (plain model refs: no prompts,
// experiments or routes, whose work happens in our pipeline).
import { randomUUID } from "node:crypto";
import { decryptSecret } from "@/server/crypto/secrets";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { BatchLine } from "@/server/modules/files/batch-lines";
import { resolveModelVersion, type ServedVersion } from "@/server/modules/gateway/target";
import type { JobContext } from "@/server/modules/jobs/kinds";
import { OpenAIBatchClient, type UpstreamBatch } from "@/server/modules/providers/openai-batch";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import { runCost } from "@/server/modules/runs/cost";
import { readBatchLines } from "./io";
import type { LineOutcome } from "./lines";
import { storeOutcomes } from "./store";

type Batch = { id: string; projectId: string; apiKeyId: string | null; inputFileId: string; endpoint: string };
export type UpstreamOutcome = "completed" | "failed" | "expired" | "cancelled";
const FINAL = new Set(["completed", "failed", "expired", "cancelled"]);
const pollMs = () => Math.max(50, Number(process.env.SWITCHYARD_UPSTREAM_BATCH_POLL_MS ?? 30_000));

/** The one upstream model version every line names, or why the batch cannot be forwarded (with the line). */
async function targetOf(db: Db, batch: Batch): Promise<ServedVersion> {
  let target: ServedVersion | undefined;
  for await (const line of readBatchLines(db, batch.projectId, batch.inputFileId)) {
    const ref = typeof line.body.model === "string" ? line.body.model : "";
    const refuse = (why: string) => {
      throw new DomainError("BAD_REQUEST", `Line ${line.line}: ${why}`);
    };
    if (ref.startsWith("prompt:") || ref.startsWith("experiment:"))
      refuse("prompts and experiments run in the gateway's pipeline; use mode gateway");
    const version = await resolveModelVersion(db, batch.projectId, ref).catch((e: Error) => refuse(e.message));
    if (!version) continue;
    if (version.model.provider !== "openai_compatible") refuse(`${ref} is not an OpenAI-compatible upstream model`);
    if (target && target.id !== version.id) refuse("every line must name the same model version");
    target = version;
  }
  if (!target) throw new DomainError("BAD_REQUEST", "The input file has no requests");
  return target;
}

export async function runUpstreamBatch(
  ctx: JobContext<{ batchId: string }>,
  batch: Batch,
): Promise<UpstreamOutcome | { failed: string }> {
  const { db } = ctx;
  let version: ServedVersion;
  try {
    version = await targetOf(db, batch);
  } catch (error) {
    if (error instanceof DomainError) return { failed: error.message };
    throw error;
  }
  const client = new OpenAIBatchClient(
    version.endpointBaseUrl!,
    version.apiKeyCiphertext ? decryptSecret(version.apiKeyCiphertext) : undefined,
  );
  let upstreamId = (ctx.job.checkpoint as { upstreamBatchId?: string } | null)?.upstreamBatchId;
  if (!upstreamId) {
    const lines: string[] = [];
    for await (const line of readBatchLines(db, batch.projectId, batch.inputFileId))
      lines.push(
        JSON.stringify({
          custom_id: line.customId,
          method: "POST",
          url: line.url,
          body: { ...line.body, model: version.upstreamModelId },
        }),
      );
    const file = await client.uploadBatchFile(`${batch.id}.jsonl`, `${lines.join("\n")}\n`);
    const created = await client.createBatch({
      input_file_id: file.id,
      endpoint: batch.endpoint,
      completion_window: "24h",
    });
    upstreamId = created.id;
    await ctx.checkpoint({ upstreamBatchId: upstreamId });
    await db.batch.update({ where: { id: batch.id }, data: { upstreamBatchId: upstreamId } });
    ctx.log(`Forwarded to ${new URL(version.endpointBaseUrl!).host} as ${upstreamId}`);
  }
  let asked = false;
  let upstream: UpstreamBatch;
  for (;;) {
    upstream = await client.retrieveBatch(upstreamId);
    const counts = upstream.request_counts;
    if (counts) ctx.progress(counts.completed + counts.failed, counts.total);
    if (FINAL.has(upstream.status)) break;
    if (ctx.signal.aborted) {
      const why = (ctx.signal.reason as { why?: string } | undefined)?.why;
      if (why !== "cancelled") throw ctx.signal.reason;
      if (!asked) {
        await client.cancelBatch(upstreamId);
        asked = true;
        ctx.log("Asked the upstream to cancel its batch");
      }
    }
    await new Promise((r) => setTimeout(r, pollMs()));
  }
  await bringBack(db, batch, version, client, upstream);
  if (upstream.status === "failed")
    return { failed: `The upstream failed the batch: ${JSON.stringify(upstream.errors ?? null).slice(0, 500)}` };
  return upstream.status as UpstreamOutcome;
}

/** The upstream's output and error lines as our items and log rows (custom_id -> our line number). */
async function bringBack(
  db: Db,
  batch: Batch,
  version: ServedVersion,
  client: OpenAIBatchClient,
  upstream: UpstreamBatch,
) {
  const lineOf = new Map<string, BatchLine>();
  for await (const line of readBatchLines(db, batch.projectId, batch.inputFileId)) lineOf.set(line.customId, line);
  let pending: LineOutcome[] = [];
  for (const fileId of [upstream.output_file_id, upstream.error_file_id]) {
    if (!fileId) continue;
    for (const text of (await client.fileText(fileId)).split("\n")) {
      if (!text.trim()) continue;
      const record = JSON.parse(text) as UpstreamLine;
      const line = lineOf.get(record.custom_id);
      if (!line) continue;
      pending.push(outcomeOf(batch, version, line, record));
      if (pending.length >= 500) {
        await storeOutcomes(batch.id, pending);
        pending = [];
      }
    }
  }
  await storeOutcomes(batch.id, pending);
}

type UpstreamLine = {
  custom_id: string;
  response: { status_code: number; request_id?: string; body: unknown } | null;
  error: { code?: string; message?: string } | null;
};

function outcomeOf(batch: Batch, version: ServedVersion, line: BatchLine, record: UpstreamLine): LineOutcome {
  const status = record.response?.status_code ?? null;
  const ok = status !== null && status >= 200 && status < 300;
  const usage = (record.response?.body as { usage?: { prompt_tokens?: number; completion_tokens?: number } } | null)
    ?.usage;
  const tokensIn = usage?.prompt_tokens ?? 0;
  const tokensOut = usage?.completion_tokens ?? 0;
  const error = ok
    ? null
    : {
        code: record.error?.code ?? String(status ?? "upstream_error"),
        message: record.error?.message ?? errorMessageOf(record.response?.body) ?? "The upstream failed this request",
      };
  const entry: RequestLogEntry = {
    id: randomUUID(),
    projectId: batch.projectId,
    apiKeyId: batch.apiKeyId,
    startedAt: new Date(),
    method: "POST",
    path: line.url,
    requestedModel: typeof line.body.model === "string" ? line.body.model : null,
    modelId: version.modelId,
    modelVersionId: version.id,
    promptVersionId: null,
    experimentId: null,
    variantId: null,
    deployment: `upstream-batch:${new URL(version.endpointBaseUrl!).host}`,
    status: status ?? 502,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    stream: false,
    latencyMs: 0,
    ttftMs: null,
    tokensIn,
    tokensOut,
    costUsd: runCost(
      {
        priceInputPerMTok: version.model.priceInputPerMTok?.toNumber() ?? null,
        priceOutputPerMTok: version.model.priceOutputPerMTok?.toNumber() ?? null,
        pricePerComputeSecond: null,
      },
      { tokensIn, tokensOut, durationMs: 0 },
    ),
    cacheHit: false,
    guardrails: [],
    requestBody: null,
    responseBody: null,
    userId: typeof line.body.user === "string" ? line.body.user : null,
    batchId: batch.id,
  };
  return {
    line: line.line,
    customId: line.customId,
    statusCode: status,
    requestId: record.response?.request_id ?? null,
    bodyText: JSON.stringify(record.response?.body ?? null),
    error,
    entry,
  };
}

const errorMessageOf = (body: unknown) => {
  const m = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof m === "string" ? m : null;
};
