import { describe, expect, it } from "vitest";
import { sampleRatioMismatch } from "../stats/srm";
import { assign, compileAssignment } from "./assign";
import { fnv1a32, fnv1a32OfDecimal, growthbookHash } from "./hash";
import { bucketRanges, chooseVariation } from "./ranges";

const UNITS = 100_000;
const unitIds = Array.from({ length: UNITS }, (_, i) => `user-${i}`);

describe("hashing", () => {
  it("computes FNV-1a 32-bit (reference vectors of the FNV test suite)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes a decimal without building the string", () => {
    for (const n of [0, 7, 10, 99_999, 351_688_924, 4_294_967_295])
      expect(fnv1a32OfDecimal(n)).toBe(fnv1a32(String(n)));
  });

  it.each([
    // growthbook/growthbook packages/sdk-js/test/cases.json, "hash": [seed, value, version, expected].
    ["", "a", 1, 0.22],
    ["", "b", 1, 0.077],
    ["b", "a", 1, 0.946],
    ["ef", "d", 1, 0.652],
    ["asdf", "8952klfjas09ujk", 1, 0.549],
    ["", "123", 1, 0.011],
    ["", '___)((*":&', 1, 0.563],
    ["seed", "a", 2, 0.0505],
    ["seed", "b", 2, 0.2696],
    ["foo", "ab", 2, 0.2575],
    ["foo", "def", 2, 0.2019],
    ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
    ["90850943850283058242805", "123", 2, 0.7516],
    ["()**(%$##$%#$#", '___)((*":&', 2, 0.0128],
    // Same file, "feature" cases with hashVersion 2 and id "1": the reported buckets.
    ["holdout", "1", 2, 0.8043],
    ["experiment", "1", 2, 0.4413],
  ] as const)("GrowthBook hash(%j, %j, v%i) = %f", (seed, value, version, expected) => {
    expect(growthbookHash(seed, value, version)).toBe(expected);
  });
});

describe("bucket ranges", () => {
  const rounded = (ranges: readonly (readonly number[])[]) => ranges.map((r) => r.map((x) => Number(x.toFixed(6))));

  it.each([
    // growthbook cases.json "getBucketRange" (weights as fractions there, percent here).
    [
      "normal 50/50",
      [50, 50],
      1,
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
    [
      "reduced coverage",
      [50, 50],
      0.5,
      [
        [0, 0.25],
        [0.5, 0.75],
      ],
    ],
    [
      "zero coverage",
      [50, 50],
      0,
      [
        [0, 0],
        [0.5, 0.5],
      ],
    ],
    [
      "4 variations",
      [25, 25, 25, 25],
      1,
      [
        [0, 0.25],
        [0.25, 0.5],
        [0.5, 0.75],
        [0.75, 1],
      ],
    ],
    [
      "uneven weights",
      [40, 60],
      1,
      [
        [0, 0.4],
        [0.4, 1],
      ],
    ],
    [
      "uneven weights, 3 variations",
      [20, 30, 50],
      1,
      [
        [0, 0.2],
        [0.2, 0.5],
        [0.5, 1],
      ],
    ],
    [
      "uneven weights, reduced coverage",
      [20, 30, 50],
      0.2,
      [
        [0, 0.04],
        [0.2, 0.26],
        [0.5, 0.6],
      ],
    ],
    [
      "negative coverage",
      [50, 50],
      -0.2,
      [
        [0, 0],
        [0.5, 0.5],
      ],
    ],
    [
      "coverage above 1",
      [50, 50],
      1.5,
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
  ])("%s", (_name, weights, coverage, expected) => {
    expect(rounded(bucketRanges(weights, coverage))).toEqual(expected);
  });

  it("chooses the range holding the bucket, start inclusive, end exclusive", () => {
    const even = bucketRanges([50, 50], 1);
    const reduced = bucketRanges([50, 50], 0.5);
    expect([0, 0.2, 0.4999, 0.5, 0.8].map((b) => chooseVariation(b, even))).toEqual([0, 0, 0, 1, 1]);
    expect([0.2, 0.25, 0.4, 0.6, 0.8].map((b) => chooseVariation(b, reduced))).toEqual([0, -1, -1, 1, -1]);
    // A zero-weight variant is never chosen.
    expect(chooseVariation(0.5, bucketRanges([50, 0, 50], 1))).toBe(2);
  });
});

describe("assign", () => {
  const config = {
    salt: "exp-prompt-v2-vs-v3",
    trafficShare: 1,
    variants: [
      { key: "control", weight: 50 },
      { key: "v2", weight: 30 },
      { key: "v3", weight: 20 },
    ],
  };

  it("is deterministic: the same unit always gets the same variant, one-shot or compiled", () => {
    const compiled = compileAssignment(config);
    for (const unitId of unitIds.slice(0, 2_000)) {
      const first = compiled.assign(unitId);
      expect(compiled.assign(unitId)).toEqual(first);
      expect(first.sticky).toBe(true);
      expect(first.bucket).toBe(growthbookHash(config.salt, unitId, 2));
    }
    expect(assign({ ...config, unitId: "user-42" })).toEqual(compiled.assign("user-42"));
    // A different salt is a different, independent shuffle.
    const other = compileAssignment({ ...config, salt: "another-experiment" });
    const same = unitIds.slice(0, 2_000).filter((id) => other.assign(id).variantKey === compiled.assign(id).variantKey);
    expect(same.length / 2_000).toBeGreaterThan(0.3); // 0.5² + 0.3² + 0.2² = 0.38 by chance
    expect(same.length / 2_000).toBeLessThan(0.46);
  });

  it("splits 100k units as configured (SRM check passes, shares within 1 %)", () => {
    const compiled = compileAssignment(config);
    const counts = new Map(config.variants.map((v) => [v.key, 0]));
    for (const unitId of unitIds) {
      const { variantKey } = compiled.assign(unitId);
      counts.set(variantKey!, counts.get(variantKey!)! + 1);
    }
    const observed = config.variants.map((v) => counts.get(v.key)!);
    const srm = sampleRatioMismatch(
      observed,
      config.variants.map((v) => v.weight),
    );
    expect(srm.status).toBe("ok");
    expect(srm.pValue).toBeGreaterThan(0.001);
    for (const [i, v] of config.variants.entries()) {
      expect(Math.abs(observed[i] / UNITS - v.weight / 100)).toBeLessThan(0.01);
    }
  });

  it("never moves an assigned unit when the traffic share changes", () => {
    const shares = [0.05, 0.1, 0.25, 0.5, 0.8, 1];
    const byShare = shares.map((trafficShare) => {
      const compiled = compileAssignment({ ...config, trafficShare });
      return unitIds.map((id) => compiled.assign(id).variantKey);
    });
    for (let a = 0; a < shares.length; a++) {
      for (let b = a + 1; b < shares.length; b++) {
        let moved = 0;
        let joined = 0;
        let left = 0;
        for (let u = 0; u < UNITS; u++) {
          const before = byShare[a][u];
          const after = byShare[b][u];
          if (before !== null && after !== null && after !== before) moved++; // switched variant
          if (before === null && after !== null) joined++;
          if (before !== null && after === null) left++;
        }
        expect(moved).toBe(0);
        expect(left).toBe(0);
        // Only new units come in, about (b − a) of the traffic.
        expect(Math.abs(joined / UNITS - (shares[b] - shares[a]))).toBeLessThan(0.01);
      }
      // The share in the experiment matches the setting, and the split inside it holds.
      const inside = byShare[a].filter((k) => k !== null);
      expect(Math.abs(inside.length / UNITS - shares[a])).toBeLessThan(0.01);
      const observed = config.variants.map((v) => inside.filter((k) => k === v.key).length);
      expect(sampleRatioMismatch(observed, [50, 30, 20]).pValue).toBeGreaterThan(0.001);
    }
  });

  it("reuses compiled configs in one-shot assign() only while the config is the same", () => {
    const at = (weights: number[], trafficShare = 1) =>
      assign({
        salt: "cache-check",
        trafficShare,
        unitId: "user-7",
        variants: weights.map((weight, i) => ({ key: `v${i}`, weight })),
      });
    const bucket = at([50, 50]).bucket;
    // Moving the boundary across the unit's bucket must change the answer at once.
    const low = Math.max(1, Math.floor(bucket * 100) - 1);
    expect(at([low, 100 - low]).variantKey).toBe("v1");
    expect(at([Math.min(99, low + 3), 100 - Math.min(99, low + 3)]).variantKey).toBe("v0");
    expect(at([50, 50], 0).variantKey).toBeNull();
    expect(() => at([50, 40])).toThrow(/sum to 100/);
  });

  it("assigns per request, unsticky, without a unit id", () => {
    const compiled = compileAssignment({ ...config, trafficShare: 0.5 });
    expect(compiled.assign(undefined, () => 0.1)).toEqual({ variantKey: "control", bucket: 0.1, sticky: false });
    expect(compiled.assign(null, () => 0.52)).toEqual({ variantKey: "v2", bucket: 0.52, sticky: false });
    expect(compiled.assign("", () => 0.3)).toEqual({ variantKey: null, bucket: 0.3, sticky: false });
    const draws = [0.81, 0.05];
    expect(assign({ ...config, random: () => draws.shift()! })).toMatchObject({ variantKey: "v3", sticky: false });
  });

  it("validates the config: 2..n variants, unique keys, weights summing to 100, share in [0, 1]", () => {
    const bad = (patch: Partial<typeof config>) => () => compileAssignment({ ...config, ...patch });
    expect(bad({ variants: [{ key: "only", weight: 100 }] })).toThrow(/at least 2 variants/);
    expect(
      bad({
        variants: [
          { key: "a", weight: 50 },
          { key: "a", weight: 50 },
        ],
      }),
    ).toThrow(/unique/);
    expect(
      bad({
        variants: [
          { key: "a", weight: 50 },
          { key: "b", weight: 40 },
        ],
      }),
    ).toThrow(/sum to 100/);
    expect(
      bad({
        variants: [
          { key: "a", weight: 120 },
          { key: "b", weight: -20 },
        ],
      }),
    ).toThrow(RangeError);
    expect(bad({ trafficShare: 1.5 })).toThrow(RangeError);
    expect(bad({ salt: "" })).toThrow(/Salt/);
    // Thirds written to two decimals are fine.
    const thirds = compileAssignment({
      ...config,
      variants: [
        { key: "a", weight: 33.33 },
        { key: "b", weight: 33.33 },
        { key: "c", weight: 33.34 },
      ],
    });
    expect(thirds.ranges.at(-1)![1]).toBeCloseTo(1, 12);
  });
});
