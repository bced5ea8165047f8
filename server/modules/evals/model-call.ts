// How evaluations call models: through the gateway's own pipeline, in-process, as the project's key (the one
// that started the run, or the project's internal principal for console and scheduled runs). Target calls of an
// eval run, LLM judges, embedding evaluators and online evaluation all go this way, so a call is resolved,
// guarded, cached, limited, priced and logged exactly as live traffic is.

import type { Db } from "@/server/db";
import { BatchGateway } from "@/server/modules/batches/lines";
import { requestLogWriter } from "@/server/modules/request-log/runtime";
import type { RequestLogEntry } from "@/server/modules/request-log/types";

type ModelCallUrl = "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings" | "/v1/responses";

export interface ModelReply {
  /** HTTP status the gateway answered; null when the call failed before reaching an endpoint. */
  statusCode: number | null;
  ok: boolean;
  /** The parsed JSON body (an OpenAI response or `{ error }`). */
  body: unknown;
  error: { code: string; message: string } | null;
  requestId: string | null;
  costUsd: number;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  /** The request-log row: returned (mode "return") for the caller to store, or already handed to the writer. */
  entry: RequestLogEntry | null;
}

/** One call; null when `signal` stopped it (the caller runs it again on resume). */
export type ModelCall = (
  url: ModelCallUrl,
  body: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<ModelReply | null>;

export interface ModelCaller {
  call: ModelCall;
  /** Flushes key usage; call when the run ends. */
  close(): Promise<void>;
}

/**
 * A caller for one project. `tag` is stored in the request log's batch_id column (e.g. `eval_<runId>`), so the
 * explorer can filter a run's calls. `log: "write"` hands each call's log row to the process's request-log writer
 * (judges, online evaluation); `"return"` leaves it on the reply for the caller to store with its own rows.
 */
export function gatewayModelCaller(
  db: Db,
  options: { projectId: string; apiKeyId: string | null; tag: string; log: "write" | "return" },
): ModelCaller {
  const gateway = new BatchGateway(db, { id: options.tag, projectId: options.projectId, apiKeyId: options.apiKeyId });
  let seq = 0;
  return {
    async call(url, body, signal) {
      const started = performance.now();
      seq += 1;
      const outcome = await gateway.run(
        { line: seq, customId: String(seq), method: "POST", url, body } as never,
        signal,
      );
      if (!outcome) return null;
      const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(outcome.bodyText);
      } catch {
        parsed = outcome.bodyText;
      }
      const entry = outcome.entry;
      if (entry && options.log === "write") requestLogWriter().record(entry);
      return {
        statusCode: outcome.statusCode,
        ok,
        body: parsed,
        error: outcome.error,
        requestId: outcome.requestId,
        costUsd: entry?.costUsd ?? 0,
        tokensIn: entry?.tokensIn ?? 0,
        tokensOut: entry?.tokensOut ?? 0,
        latencyMs: entry?.latencyMs ?? performance.now() - started,
        entry: options.log === "return" ? entry : null,
      };
    },
    close: () => gateway.close(),
  };
}

/** The text of an answer: chat, completions or responses. */
export function answerText(body: unknown): string {
  const b = body as {
    choices?: { message?: { content?: unknown; tool_calls?: unknown }; text?: unknown }[];
    output_text?: unknown;
    output?: { content?: { text?: unknown }[] }[];
  } | null;
  const choice = b?.choices?.[0];
  if (choice) {
    const content = choice.message?.content ?? choice.text;
    if (typeof content === "string") return content;
    if (choice.message?.tool_calls) return JSON.stringify(choice.message.tool_calls);
    return "";
  }
  if (typeof b?.output_text === "string") return b.output_text;
  const parts = b?.output
    ?.flatMap((o) => o.content ?? [])
    .map((c) => c.text)
    .filter((t) => typeof t === "string");
  return parts?.join("") ?? "";
}
