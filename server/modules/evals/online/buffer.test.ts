import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SampleBuffer } from "./buffer";
import type { OnlineSample } from "./samples";

const sample = (): OnlineSample => ({
  ruleId: randomUUID(),
  requestId: randomUUID(),
  requestStartedAt: new Date().toISOString(),
  modelVersionId: null,
  promptVersionId: null,
  messages: [{ role: "user", content: "hi" }],
  output: "hello",
});

describe("SampleBuffer", () => {
  it("hands each project's samples over in jobs of at most perJob, and drops past its capacity", async () => {
    const sent: { projectId: string; n: number }[] = [];
    const buffer = new SampleBuffer(
      async (projectId, samples) => {
        sent.push({ projectId, n: samples.length });
      },
      { capacity: 6, flushSize: 100, flushMs: 600_000, perJob: 2 },
    );
    for (let i = 0; i < 5; i++) expect(buffer.push("a", sample())).toBe(true);
    expect(buffer.push("b", sample())).toBe(true);
    expect(buffer.push("b", sample())).toBe(false);
    expect(buffer.stats()).toEqual({ buffered: 6, enqueued: 0, dropped: 1, failed: 0 });
    await buffer.flush();
    expect(sent).toEqual([
      { projectId: "a", n: 2 },
      { projectId: "a", n: 2 },
      { projectId: "a", n: 1 },
      { projectId: "b", n: 1 },
    ]);
    expect(buffer.stats()).toEqual({ buffered: 0, enqueued: 6, dropped: 1, failed: 0 });
  });

  it("counts samples the queue refused as failed and keeps taking new ones", async () => {
    let refuse = true;
    const buffer = new SampleBuffer(
      async () => {
        if (refuse) throw new Error("database down");
      },
      { capacity: 10, flushSize: 100, flushMs: 600_000 },
    );
    buffer.push("a", sample());
    buffer.push("a", sample());
    await buffer.flush();
    refuse = false;
    buffer.push("a", sample());
    await buffer.flush();
    expect(buffer.stats()).toEqual({ buffered: 0, enqueued: 1, dropped: 0, failed: 2 });
  });
});
