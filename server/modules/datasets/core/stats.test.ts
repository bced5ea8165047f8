import { describe, expect, it } from "vitest";
import { countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import { HashPrefixSet } from "./hashset";
import { IntHistogram } from "./histogram";
import { importJsonl } from "./import";
import { DatasetStats, defaultEpochs, estimateTraining } from "./stats";
import { bytes, chat, jsonl } from "./test-helpers";

describe("default epochs (OpenAI cookbook heuristic)", () => {
  it.each([
    // [n, epochs, by hand]
    [10, 10, "10·3 = 30 < 100 → min(25, ⌊100/10⌋ = 10)"],
    [1000, 3, "3000 is within [100, 25000] → 3"],
    [100_000, 1, "300000 > 25000 → max(1, ⌊25000/100000⌋ = 0)"],
    [1, 25, "min(25, 100)"],
    [30, 3, "90 < 100 → ⌊100/30⌋ = 3 (floor, as the cookbook's //; ceil would give 4)"],
    [34, 3, "102 ≥ 100 → 3"],
    [8334, 2, "25002 > 25000 → ⌊25000/8334⌋ = 2"],
    [8333, 3, "24999 → 3"],
    [0, 25, "no examples: the limit of the first branch"],
  ])("n = %i → %i epochs (%s)", (n, epochs) => {
    expect(defaultEpochs(n)).toBe(epochs);
  });

  it("estimates training tokens and cost; billing caps each example at 16385 tokens", () => {
    const stats = new DatasetStats();
    stats.add(chat(["user", "a"], ["assistant", "b"]), { tokens: 100 });
    stats.add(chat(["user", "c"], ["assistant", "d"]), { tokens: 20_000 });
    const snapshot = stats.snapshot();
    expect(snapshot.billingTokens).toBe(100 + 16_385);
    expect(snapshot.totalTokens).toBe(20_100);
    expect(snapshot.examplesOverCap).toBe(1);
    // n = 2 → min(25, ⌊100/2⌋) = 25 epochs; 16485 · 25 = 412125 tokens; at 8 per 1M = 3.297.
    const estimate = stats.estimate({ pricePerMillionTokens: 8 });
    expect(estimate).toEqual({ examples: 2, epochs: 25, billingTokens: 16_485, trainingTokens: 412_125, cost: 3.297 });
    expect(estimateTraining({ examples: 1000, billingTokens: 1_000_000 }, { epochs: 2 })).toEqual({
      examples: 1000,
      epochs: 2,
      billingTokens: 1_000_000,
      trainingTokens: 2_000_000,
    });
  });
});

describe("statistics", () => {
  it("gives exact nearest-rank p50/p95/max on a known set", () => {
    const stats = new DatasetStats();
    // 20 distinct examples with 1..20 tokens.
    for (let t = 1; t <= 20; t++)
      stats.add(chat(["user", `q${t}`], ["assistant", `a${t}`]), { tokens: t, assistantTokens: t % 3 });
    const { tokensPerExample, assistantTokensPerExample } = stats.snapshot();
    // p50: rank ⌈0.5·20⌉ = 10 → 10; p95: rank ⌈0.95·20⌉ = 19 → 19.
    expect(tokensPerExample).toEqual({ count: 20, min: 1, max: 20, mean: 10.5, p50: 10, p95: 19 });
    expect(assistantTokensPerExample).toMatchObject({ min: 0, max: 2, p50: 1, p95: 2 });
  });

  it("counts roles, messages, missing roles, weights and exact duplicates (metadata ignored)", async () => {
    const file = jsonl(
      {
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "hello" },
          { role: "assistant", content: "hi" },
        ],
      },
      {
        messages: [
          { role: "user", content: "hello" },
          { role: "assistant", content: "hi" },
        ],
      },
      {
        messages: [
          { role: "user", content: "hello" },
          { role: "assistant", content: "hi" },
        ],
        metadata: { s: 1 },
      },
      {
        messages: [
          { role: "user", content: "hello" },
          { role: "assistant", content: "hi" },
        ],
      },
      {
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: "y", weight: 0 },
          { role: "user", content: "z" },
          { role: "assistant", content: "w" },
        ],
      },
      { messages: [{ role: "assistant", content: "only me" }] },
      { messages: [{ role: "user", content: "no answer" }] },
    );
    // Tokens = characters, so every count below can be checked by hand.
    const result = await importJsonl([bytes(file)], { countTokens: (t) => t.length }).run();
    const s = result.stats;
    expect(s.examples).toBe(6);
    expect(s.duplicates).toBe(2);
    expect(s.uniqueExamples).toBe(4);
    expect(s.messages).toBe(3 + 2 + 2 + 2 + 4 + 1);
    expect(s.roles).toEqual({ system: 1, user: 6, assistant: 7, function: 0 });
    expect(s.examplesMissingSystem).toBe(5);
    expect(s.examplesMissingUser).toBe(1);
    expect(s.examplesMissingAssistant).toBe(1);
    expect(s.weightZeroMessages).toBe(1);
    expect(s.messagesPerExample).toEqual({ count: 6, min: 1, max: 4, mean: 14 / 6, p50: 2, p95: 4 });
    // user "hello" + assistant "hi": 3 + (3+4+5) + (3+9+2) = 29; with system "S": + (3+6+1) = 39;
    // the 4-message one: 3 + (3+4+1)·2 + (3+9+1)·2 = 45; "only me": 3 + 3+9+7 = 22.
    expect(s.tokensPerExample).toEqual({
      count: 6,
      min: 22,
      max: 45,
      mean: (39 + 29 * 3 + 45 + 22) / 6,
      p50: 29,
      p95: 45,
    });
    expect(s.totalTokens).toBe(39 + 29 * 3 + 45 + 22);
    expect(s.billingTokens).toBe(s.totalTokens);
  });

  it("keeps memory fixed: the histogram is exact below 65,536 and within 1/64 above", () => {
    const h = new IntHistogram();
    for (const v of [10, 70_000, 100_000, 1_000_000]) h.add(v);
    expect(h.quantile(0.25)).toBe(10);
    const q50 = h.quantile(0.5);
    expect(q50).toBeGreaterThanOrEqual(70_000);
    expect(q50).toBeLessThanOrEqual(70_000 * (1 + 1 / 64));
    expect(h.quantile(1)).toBe(1_000_000);
    expect(new IntHistogram().summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0 });
  });

  it("indexes duplicates by 64-bit hash prefixes in typed arrays", () => {
    const set = new HashPrefixSet();
    const hashes = Array.from({ length: 5000 }, (_, i) => ((i + 1) * 2654435761).toString(16).padStart(16, "0"));
    for (const h of hashes) expect(set.addHex(h)).toBe(true);
    for (const h of hashes) expect(set.addHex(h)).toBe(false);
    expect(set.addHex("0000000000000000ff")).toBe(true); // the all-zero prefix is kept apart
    expect(set.addHex("0000000000000000")).toBe(false);
    expect(set.size).toBe(5001);
    expect(set.bytes).toBe(16384 * 8);
  });
});

describe("rough token counter", () => {
  it.each([
    ["", 0],
    ["Hello", 1],
    ["Hello, world!", 4],
    ["internationalization", 4],
    ["2024", 2],
    ["東京", 2],
    ["line one\n\nline two", 5],
  ])("%j → %i", (text, tokens) => {
    expect(roughTokenCount(text)).toBe(tokens);
  });

  it("counts an example like the cookbook: 3 per message + role + content, +1 per name, +3", () => {
    const count = (t: string) => t.length;
    expect(countExampleTokens([{ role: "user", content: "abc", name: "n" }], count)).toBe(3 + 3 + 4 + 3 + 1 + 1);
  });
});
