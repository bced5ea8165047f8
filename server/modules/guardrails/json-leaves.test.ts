import { describe, expect, it } from "vitest";
import { jsonLeaves, replaceLeaves } from "./json-leaves";

describe("jsonLeaves", () => {
  it("finds string and number values with their keys, not keys, booleans or nulls", () => {
    const text = '{"to": "ana@example.com", "n": -12.5e3, "ok": true, "none": null, "cc": ["b\\u0040x.org", 7]}';
    expect(jsonLeaves(text)?.map(({ value, key }) => [key, value])).toEqual([
      ["to", "ana@example.com"],
      ["n", "-12.5e3"],
      ["cc", "b@x.org"],
      ["cc", "7"],
    ]);
  });

  it("is null for text that is not JSON", () => {
    expect(jsonLeaves('{"city": "Par')).toBeNull();
    expect(jsonLeaves("call me at 555")).toBeNull();
  });
});

describe("replaceLeaves", () => {
  it("writes changed values as JSON strings and keeps the rest byte for byte", () => {
    const text = '{ "to":"ana@example.com",\n  "card": 4111111111111111, "note": "say \\"hi\\"" }';
    const leaves = jsonLeaves(text)!;
    const out = replaceLeaves(text, leaves, ["<EMAIL_1>", "<CARD_1>", 'say "hi"']);
    expect(out).toBe('{ "to":"<EMAIL_1>",\n  "card": "<CARD_1>", "note": "say \\"hi\\"" }');
    expect(JSON.parse(out)).toEqual({ to: "<EMAIL_1>", card: "<CARD_1>", note: 'say "hi"' });
    expect(
      replaceLeaves(
        text,
        leaves,
        leaves.map((l) => l.value),
      ),
    ).toBe(text);
  });

  it("escapes a replacement that needs it", () => {
    const text = '["a"]';
    expect(JSON.parse(replaceLeaves(text, jsonLeaves(text)!, ['x"\\\n']))).toEqual(['x"\\\n']);
  });
});
