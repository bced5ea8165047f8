import { describe, expect, it } from "vitest";
import { rolloutBucket, takesCandidate } from "./arm";

describe("takesCandidate", () => {
  it("is the same for a unit every time, and close to the share over many units", () => {
    for (const percent of [5, 25, 50]) {
      let candidates = 0;
      for (let i = 0; i < 10_000; i++) {
        const unit = `user-${i}`;
        const first = takesCandidate("salt-1", unit, percent);
        expect(takesCandidate("salt-1", unit, percent)).toBe(first);
        if (first) candidates++;
      }
      expect(Math.abs(candidates / 10_000 - percent / 100)).toBeLessThan(0.02);
    }
  });

  it("only ever moves units from stable to candidate as the share grows", () => {
    for (let i = 0; i < 2_000; i++)
      if (takesCandidate("s", `u${i}`, 5)) expect(takesCandidate("s", `u${i}`, 25)).toBe(true);
  });

  it("depends on the salt, and 0 / 100 are absolute", () => {
    const differs = Array.from({ length: 200 }, (_, i) => rolloutBucket("a", `u${i}`) !== rolloutBucket("b", `u${i}`));
    expect(differs.filter(Boolean).length).toBeGreaterThan(190);
    expect(takesCandidate("s", "u", 0)).toBe(false);
    expect(takesCandidate("s", "u", 100)).toBe(true);
  });
});
