import { Decimal } from "@prisma/client/runtime/client";
import { describe, expect, it } from "vitest";
import { DEFAULT_OUTPUT_TOKENS } from "./limit-settings";
import type { ServedVersion } from "./target";
import { estimateCompletion, estimateEmbeddings } from "./usage-estimate";

const version = (prices: { input?: number; output?: number; write?: number }) =>
  ({
    model: {
      priceInputPerMTok: prices.input === undefined ? null : new Decimal(prices.input),
      priceOutputPerMTok: prices.output === undefined ? null : new Decimal(prices.output),
      priceCacheWritePerMTok: prices.write === undefined ? null : new Decimal(prices.write),
    },
  }) as unknown as ServedVersion;

describe("estimateCompletion", () => {
  it("counts the messages with their framing and reserves max_tokens of output at the model's prices", () => {
    const estimate = estimateCompletion(
      version({ input: 1, output: 2 }),
      { messages: [{ role: "user", content: "hi" }] },
      { maxTokens: 10 },
    );
    // 3 (reply) + 4 (message) + 1 ("hi") input tokens, 10 output.
    expect(estimate).toEqual({ tokens: 18, costUsd: (8 * 1 + 10 * 2) / 1e6 });
  });

  it("reserves the default output when nothing sets max_tokens, and prices input at the dearer cache-write price", () => {
    const estimate = estimateCompletion(version({ input: 1, output: 0, write: 4 }), { prompt: "hello" }, {});
    expect(estimate.tokens).toBe(1 + DEFAULT_OUTPUT_TOKENS);
    expect(estimate.costUsd).toBeCloseTo((1 * 4) / 1e6, 12);
  });

  it("reserves no cost for a model without token prices", () => {
    expect(estimateCompletion(version({}), { prompt: "x" }, { maxTokens: 5 }).costUsd).toBe(0);
  });
});

describe("estimateEmbeddings", () => {
  it("estimates strings and counts token ids", () => {
    const priced = version({ input: 1 });
    expect(estimateEmbeddings(priced, "hello").tokens).toBe(1);
    expect(estimateEmbeddings(priced, ["hello", "hello there"]).tokens).toBe(1 + 2);
    expect(estimateEmbeddings(priced, [1, 2, 3]).tokens).toBe(3);
    expect(estimateEmbeddings(priced, [[1, 2], [3]])).toEqual({ tokens: 3, costUsd: 3 / 1e6 });
  });
});
