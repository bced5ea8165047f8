import { describe, expect, it } from "vitest";
import { pipelineConfig } from "@/lib/routes/config";
import { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { GuardrailRecord } from "./actions";
import { guardEvents } from "./events";
import { OutputProcessor, planOutput } from "./output";

type Done = Extract<EngineEvent, { type: "done" }>;
const done = (finishReason: string, tokensOut = 9): Done => ({
  type: "done",
  device: "cpu",
  ttftMs: 1,
  tokensIn: 5,
  tokensOut,
  durationMs: 10,
  finishReason,
});

/** An engine that yields the pieces; once stopped it ends with `abort` (like the local engine) or rejects (like an upstream). */
function engine(pieces: string[], onStop: "abort-event" | "reject" = "abort-event") {
  const state = { stopped: false, pulledAfterStop: 0, returned: false };
  async function* gen(): AsyncGenerator<EngineEvent> {
    try {
      for (const text of pieces) {
        if (state.stopped) {
          state.pulledAfterStop++;
          if (onStop === "reject") throw new Error("aborted");
          yield done("abort", 3);
          return;
        }
        yield { type: "text", text };
      }
      yield done(state.stopped ? "abort" : "stop");
    } finally {
      state.returned = true;
    }
  }
  return { gen: gen(), state };
}

async function collect(config: unknown, pieces: string[], onStop?: "abort-event" | "reject") {
  const actions: GuardrailRecord[] = [];
  const output = new OutputProcessor(planOutput(pipelineConfig.parse(config))!, new PiiPlaceholders(), actions);
  const { gen, state } = engine(pieces, onStop);
  const events: EngineEvent[] = [];
  for await (const event of guardEvents(gen, output, {
    stop: () => {
      state.stopped = true;
    },
    fallbackDone: (generated) => ({ ...done("abort", generated.length), device: "fallback" }),
  }))
    events.push(event);
  const text = events.map((e) => (e.type === "text" ? e.text : "")).join("");
  return { events, text, last: events.at(-1) as Done, state, actions };
}

describe("guardEvents: the output pipeline on engine events", () => {
  it("passes masked text through and keeps the engine's final event", async () => {
    const { text, last, actions, state } = await collect({ output: { pii: {} } }, ["Mail ann@exa", "mple.com", " ok"]);
    expect(text).toBe("Mail <EMAIL_1> ok");
    expect(last).toEqual(done("stop"));
    expect(actions).toEqual([{ stage: "output", rule: "pii", action: "mask", count: 1, kinds: { EMAIL: 1 } }]);
    expect(state.returned).toBe(true);
  });

  it("on a block: stops the engine, waits for its usage, and finishes with content_filter", async () => {
    const { text, last, state } = await collect({ output: { blocklist: { words: ["zorp"] } } }, [
      "safe ",
      "zorp",
      " more",
      " and more",
    ]);
    expect(text).toBe("safe ");
    expect(state.stopped).toBe(true);
    expect(state.pulledAfterStop).toBe(1);
    expect(last).toEqual({ ...done("abort", 3), finishReason: "content_filter" });
  });

  it("reports rough usage when the stopped engine rejects instead of finishing", async () => {
    const { last } = await collect({ postprocess: { maxChars: 4 } }, ["abcdef", "gh", "ij"], "reject");
    expect(last).toMatchObject({ device: "fallback", finishReason: "length", tokensOut: 6 });
  });

  it("a block found only at the end still turns the final event into content_filter", async () => {
    const { text, last } = await collect({ output: { blocklist: { words: ["zorp"] } } }, ["all fine ", "zo", "rp"]);
    expect(text).toBe("all fine ");
    expect(last).toEqual({ ...done("stop"), finishReason: "content_filter" });
  });

  it("lets the engine's own abort (the client left) through untouched", async () => {
    const actions: GuardrailRecord[] = [];
    const output = new OutputProcessor(
      planOutput(pipelineConfig.parse({ output: { pii: {} } }))!,
      new PiiPlaceholders(),
      actions,
    );
    async function* aborted(): AsyncGenerator<EngineEvent> {
      yield { type: "text", text: "partial" };
      yield done("abort");
    }
    const events: EngineEvent[] = [];
    for await (const e of guardEvents(aborted(), output, { stop: () => {}, fallbackDone: () => done("x") }))
      events.push(e);
    expect(events).toEqual([done("abort")]);
  });
});
