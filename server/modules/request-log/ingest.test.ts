import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ENTRY_COLUMNS, entryProblem, INGEST_SQL, parseSerializedEntry, salvageEntry, serializeEntry } from "./ingest";
import { Ring } from "./ring";
import { makeEntry } from "./testing";
import type { RequestLogEntry } from "./types";

describe("entryProblem", () => {
  it("accepts a valid entry", () => {
    expect(entryProblem(makeEntry())).toBeNull();
  });

  it.each([
    [{ id: "chatcmpl-123" }, "id must be a UUID"],
    [{ projectId: "" }, "projectId must be a UUID"],
    [{ modelVersionId: "support-bot" }, "modelVersionId must be a UUID or null"],
    [{ startedAt: new Date("nope") }, "startedAt must be a Date"],
    [{ status: 200.5 }, "status must be an HTTP status"],
    [{ latencyMs: Number.NaN }, "latencyMs must be a non-negative number"],
    [{ ttftMs: -1 }, "ttftMs must be >= 0 or null"],
    [{ tokensIn: 1.5 }, "tokensIn/tokensOut must be non-negative integers"],
    [{ tokensOut: 2 ** 31 }, "tokensIn/tokensOut must be non-negative integers"],
    [{ costUsd: Number.POSITIVE_INFINITY }, "costUsd must be a finite number"],
    [{ stream: undefined as unknown as boolean }, "stream and cacheHit must be booleans"],
    [{ guardrails: null as unknown as [] }, "guardrails must be an array"],
    [{ cachedTokens: 1.5 }, "cachedTokens/cacheWriteTokens must be non-negative integers or null"],
    [{ cacheWriteTokens: -1 }, "cachedTokens/cacheWriteTokens must be non-negative integers or null"],
    [{ reasoningTokens: Number.NaN }, "reasoningTokens must be a non-negative integer or null"],
    [{ toolNames: "f" as unknown as string[] }, "toolNames and modalities must be arrays or null"],
    [{ modalities: {} as unknown as string[] }, "toolNames and modalities must be arrays or null"],
  ] as [Partial<RequestLogEntry>, string][])("refuses %o", (overrides, problem) => {
    expect(entryProblem(makeEntry(overrides))).toBe(problem);
  });
});

describe("serializeEntry", () => {
  it("puts every field under its column's key", () => {
    const entry = makeEntry({
      apiKeyId: randomUUID(),
      requestedModel: "m@prod",
      modelId: randomUUID(),
      modelVersionId: randomUUID(),
      promptVersionId: randomUUID(),
      experimentId: randomUUID(),
      variantId: randomUUID(),
      errorCode: "UPSTREAM",
      errorMessage: "boom",
      status: 502,
      stream: true,
      ttftMs: 12.5,
      cacheHit: true,
      guardrails: [{ stage: "input", rule: "pii", action: "mask" }],
      requestBody: { a: 1 },
      responseBody: { b: [2] },
      userId: "end-user-7",
      finishReason: "tool_calls",
      toolNames: ["get_weather", "search"],
      cachedTokens: 1024,
      cacheWriteTokens: 0,
      reasoningTokens: 64,
      modalities: ["text", "image", "tools"],
    });
    const parsed = parseSerializedEntry(serializeEntry(entry));
    for (const [field] of ENTRY_COLUMNS) {
      const value = entry[field];
      expect(parsed[field], field).toEqual(value instanceof Date ? value.toISOString() : value);
    }
  });

  it("replaces NUL and lone surrogates, which Postgres cannot store", () => {
    const entry = makeEntry({ errorMessage: "a\u0000b", responseBody: { text: "x\uD800y", ok: "😀" } });
    const json = parseSerializedEntry(serializeEntry(entry));
    expect(json.errorMessage).toBe("a\uFFFDb");
    expect(json.responseBody).toEqual({ text: "x\uFFFDy", ok: "😀" });
  });

  it("throws on a body JSON cannot hold; the salvaged entry serialises", () => {
    const entry = makeEntry({ requestBody: { n: 1n } });
    expect(() => serializeEntry(entry)).toThrow();
    expect(parseSerializedEntry(serializeEntry(salvageEntry(entry)))).toMatchObject({
      id: entry.id,
      requestBody: null,
    });
  });
});

describe("INGEST_SQL", () => {
  it("inserts every column and keeps both rollups", () => {
    for (const [, column] of ENTRY_COLUMNS) expect(INGEST_SQL).toContain(column);
    for (const table of ["request_log_minute", "request_log_hour"]) {
      expect(INGEST_SQL).toContain(`INSERT INTO ${table} AS t`);
    }
    expect(INGEST_SQL).toContain("ON CONFLICT DO NOTHING");
  });
});

describe("Ring", () => {
  it("is a bounded FIFO that wraps around", () => {
    const ring = new Ring<number>(3);
    ring.push(1);
    ring.push(2);
    ring.push(3);
    expect(() => ring.push(4)).toThrow();
    expect(ring.shift()).toBe(1);
    ring.push(4);
    expect([ring.shift(), ring.shift(), ring.shift(), ring.shift()]).toEqual([2, 3, 4, undefined]);
    expect(ring.size).toBe(0);
  });
});
