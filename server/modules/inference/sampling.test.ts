import { describe, expect, it } from "vitest";
import { argmax, penalize, Sampler, topKIndices } from "./sampling";

const logits = () => Float32Array.from([1, 5, 3, 4.5, -2, 0]);
const greedy = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1 };

describe("sampling", () => {
  it("greedy takes the argmax", () => {
    expect(argmax(logits())).toBe(1);
    expect(new Sampler(greedy, 1).next(logits())).toBe(1);
  });

  it("top-k returns the k largest, largest first", () => {
    expect(topKIndices(logits(), 3)).toEqual([1, 3, 2]);
    expect(topKIndices(Float32Array.from([0, 1, 2, 3, 4, 5, 6]), 2)).toEqual([6, 5]);
    const random = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const sorted = Array.from(random.keys()).sort((a, b) => random[b] - random[a]);
    expect(topKIndices(random, 20)).toEqual(sorted.slice(0, 20));
  });

  it("repetition penalty divides positive and multiplies negative logits of seen tokens", () => {
    const values = logits();
    penalize(values, [1, 4], 2);
    expect(values[1]).toBe(2.5);
    expect(values[4]).toBe(-4);
    expect(values[3]).toBe(4.5);
    // The penalty is what moves greedy off a repeated token.
    expect(new Sampler({ ...greedy, repetitionPenalty: 2 }, 1, [1]).next(logits())).toBe(3);
  });

  it("the same seed draws the same tokens; top-k 1 and a tiny top-p are greedy", () => {
    const options = { temperature: 1.5, topK: 0, topP: 1, repetitionPenalty: 1 };
    const draw = (seed: number) => {
      const sampler = new Sampler(options, seed);
      return Array.from({ length: 40 }, () => sampler.next(logits()));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(new Set(draw(7)).size).toBeGreaterThan(2);
    const topK1 = new Sampler({ ...options, topK: 1 }, 3);
    const topP = new Sampler({ ...options, topP: 0.01 }, 3);
    for (let i = 0; i < 20; i++) {
      expect(topK1.next(logits())).toBe(1);
      expect(topP.next(logits())).toBe(1);
    }
  });

  it("top-k and top-p only ever draw from their candidates", () => {
    const topK = new Sampler({ temperature: 5, topK: 2, topP: 1, repetitionPenalty: 1 }, 11);
    const topP = new Sampler({ temperature: 1, topK: 0, topP: 0.7, repetitionPenalty: 1 }, 11);
    for (let i = 0; i < 200; i++) {
      expect([1, 3]).toContain(topK.next(logits()));
      // softmax(logits): 5 -> 0.55, 4.5 -> 0.33 (0.88 together), so 0.7 keeps exactly those two.
      expect([1, 3]).toContain(topP.next(logits()));
    }
  });
});
