/**
 * Answers in OpenAI's wire format for fake upstreams (`providers/testing/fake-upstream`): SSE chunks when the
 * request asked for `stream: true`, one JSON completion otherwise — the gateway calls an upstream the way its
 * client called the gateway.
 */
import type { ServerResponse } from "node:http";
import {
  pause,
  type ReceivedRequest,
  sendJson,
  sse,
  writeInPieces,
} from "@/server/modules/providers/testing/fake-upstream";

/** Whether the upstream request asked for an SSE answer. */
export const wantsStream = (req: ReceivedRequest) => (req.body as { stream?: unknown } | undefined)?.stream === true;

/** Whether it went to the legacy `/completions` endpoint. */
const isLegacy = (req: ReceivedRequest) => !req.path.endsWith("/chat/completions");

type Usage = { prompt_tokens: number; completion_tokens: number };

/** A whole (non-streamed) chat completion, or a legacy text completion when `legacy`. */
const upstreamCompletion = (text: string, options: { legacy?: boolean; usage?: Usage; finish?: string } = {}) => {
  const { legacy = false, usage = { prompt_tokens: 11, completion_tokens: 7 }, finish = "stop" } = options;
  return {
    id: "chatcmpl-up",
    object: legacy ? "text_completion" : "chat.completion",
    model: "fake-model",
    choices: [
      legacy
        ? { index: 0, text, finish_reason: finish }
        : { index: 0, message: { role: "assistant", content: text }, finish_reason: finish },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
};

/**
 * Answers `pieces` the way the request asked: streamed (`streamReply`) or as one JSON completion of their
 * concatenation. `legacy` defaults to what the request's path says.
 */
export function reply(
  req: ReceivedRequest,
  res: ServerResponse,
  pieces: string[],
  options: { legacy?: boolean; usage?: Usage } = {},
) {
  const legacy = options.legacy ?? isLegacy(req);
  if (wantsStream(req)) return streamReply(res, pieces, { ...options, legacy });
  sendJson(res, 200, upstreamCompletion(pieces.join(""), { ...options, legacy }));
}

/** A chat chunk (`delta.content`), or a legacy completions chunk (`text`) when `legacy`. */
export const upstreamChunk = (content: string, finish: string | null = null, legacy = false) => ({
  id: "chatcmpl-up",
  object: legacy ? "text_completion" : "chat.completion.chunk",
  model: "fake-model",
  choices: [
    legacy
      ? { index: 0, text: content, finish_reason: finish }
      : { index: 0, delta: finish ? {} : { content }, finish_reason: finish },
  ],
});

/**
 * Streams `pieces`, one write each (so a value split across pieces reaches
 * the gateway in pieces), then `stop`, the usage and `[DONE]`; continues a
 * stream whose head was already written.
 */
export async function streamReply(
  res: ServerResponse,
  pieces: string[],
  options: { legacy?: boolean; usage?: { prompt_tokens: number; completion_tokens: number } } = {},
) {
  const { legacy = false, usage = { prompt_tokens: 11, completion_tokens: 7 } } = options;
  if (!res.headersSent) res.writeHead(200, { "content-type": "text/event-stream" });
  for (const piece of pieces) {
    res.write(sse([{ data: upstreamChunk(piece, null, legacy) }]));
    await pause(2);
  }
  res.end(
    sse([
      { data: upstreamChunk("", "stop", legacy) },
      {
        data: {
          ...upstreamChunk("", null, legacy),
          choices: [],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        },
      },
      { data: "[DONE]" },
    ]),
  );
}

/**
 * The first part of an answer, for upstreams that then stall or break off: one SSE chunk with `text`, or the
 * head of a JSON completion cut inside `text` (a valid status and headers, an incomplete body).
 */
export function replyHead(req: ReceivedRequest, res: ServerResponse, text: string) {
  if (wantsStream(req)) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(sse([{ data: upstreamChunk(text) }]));
    return;
  }
  const whole = JSON.stringify(upstreamCompletion(text));
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(whole) });
  res.write(whole.slice(0, whole.indexOf(text) + Math.ceil(text.length / 2)));
}

/**
 * Streams `chunks` byte for byte as OpenAI does (`data: {json}\n\n` each, then `data: [DONE]\n\n`), written in
 * pieces cut inside the JSON (every `cutEvery` bytes), so the gateway sees events split mid-value.
 */
export function openAIStream(res: ServerResponse, chunks: unknown[], cutEvery = 37) {
  const text = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`;
  const cuts: number[] = [];
  for (let at = cutEvery; at < Buffer.byteLength(text); at += cutEvery) cuts.push(at);
  return writeInPieces(res, text, cuts, { gapMs: 1 });
}
