import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeEntry } from "@/server/modules/request-log/testing";
import { SIDE_CAP_CHARS, sampleBodies } from "./samples";
import { type ActiveRule, isSampled, matchesRule, sampleFraction } from "./sampling";

const rule = (filter: ActiveRule["filter"], promptVersionIds: string[] | null = null): ActiveRule => ({
  id: randomUUID(),
  sampleRate: 1,
  filter,
  promptVersionIds: promptVersionIds && new Set(promptVersionIds),
});

describe("sampling", () => {
  it("is deterministic and close to the rate over many requests", () => {
    const ruleId = randomUUID();
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    const sampled = ids.filter((id) => isSampled(ruleId, id, 0.3));
    expect(sampled.length / ids.length).toBeGreaterThan(0.28);
    expect(sampled.length / ids.length).toBeLessThan(0.32);
    expect(ids.filter((id) => isSampled(ruleId, id, 0.3))).toEqual(sampled);
    expect(ids.every((id) => isSampled(ruleId, id, 1))).toBe(true);
    expect(ids.some((id) => isSampled(ruleId, id, 0))).toBe(false);
    for (const id of ids.slice(0, 100)) expect(sampleFraction(ruleId, id)).toBeLessThan(1);
  });

  it("matches a rule's filter on the model name, the prompt's versions and the path", () => {
    const entry = makeEntry({ requestedModel: "support-bot@staging", path: "/v1/chat/completions" });
    expect(matchesRule(rule({}), entry)).toBe(true);
    expect(matchesRule(rule({ model: "support-bot" }), entry)).toBe(true);
    expect(matchesRule(rule({ model: "support-bot@staging" }), entry)).toBe(true);
    expect(matchesRule(rule({ model: "support" }), entry)).toBe(false);
    expect(matchesRule(rule({ path: "/v1/messages" }), entry)).toBe(false);
    const promptVersionId = randomUUID();
    const promptId = randomUUID();
    expect(matchesRule(rule({ promptId }, [promptVersionId]), entry)).toBe(false);
    expect(matchesRule(rule({ promptId }, [promptVersionId]), { ...entry, promptVersionId })).toBe(true);
    expect(matchesRule(rule({ model: "prompt:x" }), { ...entry, requestedModel: "prompt:x@production" })).toBe(false);
  });
});

describe("sample bodies", () => {
  it("takes the messages (or a completion's prompt) and the answer, capped per side", () => {
    const long = "x".repeat(SIDE_CAP_CHARS * 2);
    const chat = sampleBodies({
      request: {
        messages: [
          { role: "user", content: "old" },
          { role: "user", content: long },
        ],
      },
      response: { text: long, finishReason: "stop" },
    });
    expect(chat?.output.length).toBe(SIDE_CAP_CHARS);
    expect(chat?.messages).toHaveLength(1);
    expect(JSON.stringify(chat?.messages).length).toBeLessThanOrEqual(SIDE_CAP_CHARS);
    const newest = sampleBodies({
      request: {
        messages: [
          { role: "user", content: long },
          { role: "user", content: "newest" },
        ],
      },
      response: { text: "ok" },
    });
    expect(newest?.messages).toEqual([{ role: "user", content: "newest" }]);
    expect(sampleBodies({ request: { prompt: "Once" }, response: { text: " upon" } })).toEqual({
      messages: [{ role: "user", content: "Once" }],
      output: " upon",
    });
    expect(sampleBodies({ request: { messages: [] }, response: null })).toBeNull();
  });
});
