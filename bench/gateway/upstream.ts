/**
 * Child process of bench/gateway/run.ts: a zero-delay OpenAI-compatible upstream on 127.0.0.1. Answers every
 * POST /v1/chat/completions at once with the same small completion and usage: JSON, or SSE when `stream: true`. Prints
 * `{"origin": "http://127.0.0.1:PORT"}` on stdout when listening; exits on SIGTERM. A streamed request that offers
 * `tools` gets a streamed tool call instead.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { benchCompletion } from "./completion";

const COMPLETION = JSON.stringify(benchCompletion("chatcmpl-bench", "fake-model", 1_700_000_000));
// Streamed requests (`stream: true`, e.g. the soak's streamed share) get the same completion as one SSE write.
const chunk = (delta: object, finish: string | null, usage?: object) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "fake-model",
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;
const STREAM = [
  chunk({ role: "assistant", content: "Hello from the bench." }, null),
  chunk({}, "stop"),
  chunk({}, null, { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }),
  "data: [DONE]\n\n",
].join("");
// A request offering tools that streams gets a tool call, its arguments split mid-JSON across chunks as OpenAI
// sends them (id and name first, then fragments), then the finish and usage chunks — one write, like STREAM.
const toolDelta = (fragment: object) => chunk({ tool_calls: [{ index: 0, ...fragment }] }, null);
const TOOL_STREAM = [
  chunk({ role: "assistant", content: null }, null),
  toolDelta({ id: "call_bench", type: "function", function: { name: "get_weather", arguments: "" } }),
  toolDelta({ function: { arguments: '{"ci' } }),
  toolDelta({ function: { arguments: 'ty":"Par' } }),
  toolDelta({ function: { arguments: 'is","unit":"c"}' } }),
  chunk({}, "tool_calls"),
  chunk({}, null, { prompt_tokens: 64, completion_tokens: 18, total_tokens: 82 }),
  "data: [DONE]\n\n",
].join("");
const NOT_FOUND = JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } });

const server = createServer((req, res) => {
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (part: string) => {
    raw += part;
  });
  req.on("end", () => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(NOT_FOUND);
    }
    const stream = /"stream"\s*:\s*true/.test(raw);
    res.writeHead(200, { "content-type": stream ? "text/event-stream" : "application/json" });
    res.end(stream ? (raw.includes('"tools"') ? TOOL_STREAM : STREAM) : COMPLETION);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ origin: `http://127.0.0.1:${port}` }));
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
