import { describe, expect, it } from "vitest";
import { pipelineConfig } from "@/lib/routes/config";
import { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import type { GuardrailRecord } from "./actions";
import { TextGuards } from "./text-guards";
import { ToolCallGuard } from "./tool-calls";

const guardFor = (config: unknown, actions: GuardrailRecord[] = []) =>
  new ToolCallGuard(
    new TextGuards(pipelineConfig.parse({ output: config }).output!),
    new PiiPlaceholders(),
    actions,
    64,
  );

/** A streamed chunk with argument fragments for the given tool-call indexes. */
const fragments = (calls: [number, string][], finish: string | null = null) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [
    {
      index: 0,
      delta: { tool_calls: calls.map(([index, args]) => ({ index, function: { arguments: args } })) },
      finish_reason: finish,
    },
  ],
});
type Sent = ReturnType<typeof fragments> | null;
const argsIn = (chunk: Sent) =>
  (chunk?.choices[0].delta.tool_calls ?? []).map((c) => [c.index, c.function.arguments] as [number, string]);

/** Streams the chunks through the guard: the arguments the client gets per index, and whether it stopped. */
function stream(guard: ToolCallGuard, chunks: ReturnType<typeof fragments>[]) {
  const sent = new Map<number, string>();
  const add = (chunk: Sent) => {
    for (const [i, a] of argsIn(chunk)) sent.set(i, (sent.get(i) ?? "") + a);
  };
  for (const c of chunks) {
    const out = guard.chunk(c, false);
    add(out.chunk as Sent);
    if (out.stop) return { sent, stop: true };
  }
  const last = guard.flush();
  add(last.chunk as Sent);
  return { sent, stop: last.stop };
}

describe("streamed tool-call arguments", () => {
  it("block a value split across fragments, per tool-call index, sending only what came before it", () => {
    const actions: GuardrailRecord[] = [];
    const guard = guardFor({ pii: { action: "block" } }, actions);
    const out = stream(guard, [
      fragments([[0, '{"city": "Paris"}']]),
      fragments([[1, '{"to": "bob@exa']]),
      fragments([[1, 'mple.com", "x": 1}']]),
    ]);
    expect(out.stop).toBe(true);
    expect(out.sent.get(1) ?? "").not.toContain("bob");
    expect(actions).toEqual([{ stage: "output", rule: "pii", action: "block", count: 1, kinds: { EMAIL: 1 } }]);
  });

  it("stream arguments without a match whole, finish reasons left to the last chunk", () => {
    const guard = guardFor({ blocklist: { words: ["secret"], action: "block" } });
    const chunk = guard.chunk(fragments([[0, '{"city": "Par']], "tool_calls"), false).chunk as Sent;
    expect(chunk?.choices[0].finish_reason).toBeNull();
    const out = stream(guard, [fragments([[0, 'is", "unit": "c"}']])]);
    expect(out.stop).toBe(false);
    expect(argsIn(chunk)[0][1] + out.sent.get(0)).toBe('{"city": "Paris", "unit": "c"}');
  });

  it("with a masking guard, hold each call whole and send it masked, still valid JSON", () => {
    const guard = guardFor({ pii: { action: "mask" } });
    const out = stream(guard, [fragments([[0, '{"to": "bob@exa']]), fragments([[0, 'mple.com", "n": 5551234}']])]);
    expect(out.stop).toBe(false);
    expect(JSON.parse(out.sent.get(0)!)).toEqual({ to: "<EMAIL_1>", n: 5551234 });
  });
});

describe("a whole answer's tool calls", () => {
  const answer = (...args: string[]) => ({
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: args.map((a, i) => ({
            id: `call_${i}`,
            type: "function",
            function: { name: "f", arguments: a },
          })),
        },
        finish_reason: "tool_calls",
      },
    ],
  });

  it("masks inside the arguments", () => {
    const response = answer('{"to":"bob@example.com"}');
    expect(guardFor({ pii: { action: "mask" } }).whole(response)).toBe(false);
    expect(response.choices[0].message.tool_calls[0].function.arguments).toBe('{"to":"<EMAIL_1>"}');
  });

  it("drops the blocked call and those after it and finishes with content_filter", () => {
    const response = answer('{"city":"Rome"}', '{"to":"bob@example.com"}', '{"city":"Oslo"}');
    expect(guardFor({ pii: { action: "block" } }).whole(response)).toBe(true);
    expect(response.choices[0].message.tool_calls.map((c) => c.id)).toEqual(["call_0"]);
    expect(response.choices[0].finish_reason).toBe("content_filter");
  });
});
