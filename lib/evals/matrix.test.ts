import { describe, expect, it } from "vitest";
import { expandMatrix, parseParamSets } from "./matrix";

describe("the eval matrix", () => {
  it("expands prompt versions x model versions x parameter sets", () => {
    const targets = expandMatrix({
      promptVersionIds: ["p1", "p2"],
      modelVersionIds: ["m1"],
      paramSets: [{ temperature: 0 }, { temperature: 1 }],
    });
    expect(targets).toEqual([
      { promptVersionId: "p1", modelVersionId: "m1", params: { temperature: 0 } },
      { promptVersionId: "p1", modelVersionId: "m1", params: { temperature: 1 } },
      { promptVersionId: "p2", modelVersionId: "m1", params: { temperature: 0 } },
      { promptVersionId: "p2", modelVersionId: "m1", params: { temperature: 1 } },
    ]);
  });

  it("a missing axis is left out, not a target of its own", () => {
    expect(expandMatrix({ promptVersionIds: ["p1"], modelVersionIds: [], paramSets: [] })).toEqual([
      { promptVersionId: "p1", params: {} },
    ]);
    expect(expandMatrix({ promptVersionIds: [], modelVersionIds: ["m1", "m2"], paramSets: [] })).toHaveLength(2);
    expect(expandMatrix({ promptVersionIds: [], modelVersionIds: [], paramSets: [{ a: 1 }] })).toEqual([]);
  });

  it("reads one JSON object per line and names the bad line", () => {
    expect(parseParamSets('{"temperature":0}\n\n{"max_tokens":16}')).toEqual({
      sets: [{ temperature: 0 }, { max_tokens: 16 }],
      error: null,
    });
    expect(parseParamSets('{"temperature":0}\ntemperature=1').error).toMatch(/^Line 2 is not JSON/);
    expect(parseParamSets("[1]").error).toMatch(/^Line 1 is not an object/);
  });
});
