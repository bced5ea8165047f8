import { describe, expect, it } from "vitest";
import { TextGuards } from "./text-guards";

const found = (guards: TextGuards, text: string) => guards.scan(text).map((f) => text.slice(f.start, f.end));

describe("TextGuards in RE2", () => {
  it("blocklist: whole words only, adjacent ones, and a shorter word where a longer one fails its boundary", () => {
    const guards = new TextGuards({
      blocklist: { words: ["foo", "foo-bar", "Zorp"], action: "mask", caseSensitive: false },
    });
    expect(found(guards, "foo foo, zorp!")).toEqual(["foo", "foo", "zorp"]);
    expect(found(guards, "food class foo-barz")).toEqual(["foo"]);
    expect(found(guards, "été foo_x foo-bar")).toEqual(["foo-bar"]);
  });

  it("regex: ^(a+)+$ over 40 a's and a '!' finds nothing (and returns), over a's alone finds them", () => {
    const guards = new TextGuards({
      regex: [{ name: "as", pattern: "^(a+)+$", flags: "i", action: "block", replacement: "" }],
    });
    expect(found(guards, `${"a".repeat(40)}!`)).toEqual([]);
    expect(found(guards, "a".repeat(40))).toEqual(["a".repeat(40)]);
  });
});
