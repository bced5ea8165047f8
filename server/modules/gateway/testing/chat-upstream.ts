/** Answers in OpenAI's streaming wire format for fake upstreams (`providers/testing/fake-upstream`). */
import type { ServerResponse } from "node:http";
import { pause, sse } from "@/server/modules/providers/testing/fake-upstream";

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
