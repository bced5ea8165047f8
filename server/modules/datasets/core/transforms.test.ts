import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { exampleHash } from "./canonical";
import { KAnonymityCounter, kAnonymity } from "./kanon";
import { chat, toArray } from "./test-helpers";
import {
  assignSplit,
  Deduplicator,
  dedupeExamples,
  ExampleFilter,
  filterExamples,
  mergeExamples,
  splitExamples,
  splitPoint,
} from "./transforms";
import type { DatasetExample } from "./types";

const qa = (q: string, a: string, metadata?: Record<string, unknown>): DatasetExample =>
  metadata ? { ...chat(["user", q], ["assistant", a]), metadata } : chat(["user", q], ["assistant", a]);

const many = (n: number) => Array.from({ length: n }, (_, i) => qa(`question ${i}`, `answer ${i}`));

describe("dedupe", () => {
  it("drops later copies of the same training content (metadata ignored), first wins", async () => {
    const dedupe = new Deduplicator();
    const source = [qa("a", "1", { s: 1 }), qa("b", "2"), qa("a", "1", { s: 2 }), qa("a", "1"), qa("c", "3")];
    const kept = await toArray(dedupeExamples(source, dedupe));
    expect(kept.map((e) => e.messages[0].content)).toEqual(["a", "b", "c"]);
    expect(kept[0].metadata).toEqual({ s: 1 });
    expect([dedupe.kept, dedupe.dropped]).toEqual([3, 2]);
  });

  it("uses a stored hash when the example carries one", async () => {
    const a = qa("a", "1");
    const kept = await toArray(
      dedupeExamples([
        { ...a, hash: exampleHash(a) },
        { ...a, hash: exampleHash(a) },
      ]),
    );
    expect(kept).toHaveLength(1);
  });
});

describe("filter", () => {
  const examples = [
    qa("short", "ok"),
    { messages: [{ role: "system" as const, content: "You are a pirate." }, ...qa("Say hi", "Arr, hello!").messages] },
    qa("Tell me about refunds", "Refunds take 5 days."),
    qa("Contains SECRET stuff", "no"),
  ];
  const count = (t: string) => t.length;

  it("filters by token range, role presence and content patterns, counting each reason", async () => {
    const filter = new ExampleFilter(
      { minTokens: 30, requireRoles: ["user"], exclude: [{ pattern: "secret", flags: "i" }] },
      { countTokens: count },
    );
    const kept = await toArray(filterExamples(examples, filter));
    expect(kept.map((e) => e.messages.at(-1)?.content)).toEqual(["Arr, hello!", "Refunds take 5 days."]);
    expect(filter.kept).toBe(2);
    expect(filter.dropped).toMatchObject({ too_few_tokens: 1, excluded_by_pattern: 1 });
  });

  it("keeps only examples matching an include pattern, optionally in some roles", () => {
    const filter = new ExampleFilter({ include: [{ pattern: "^refunds?\\b", flags: "im", roles: ["assistant"] }] });
    expect(examples.map((e) => filter.test(e))).toEqual([
      "no_include_match",
      "no_include_match",
      null,
      "no_include_match",
    ]);
    const maxTokens = new ExampleFilter({ maxTokens: 30, forbidRoles: ["system"] }, { countTokens: count });
    expect(examples.map((e) => maxTokens.test(e))).toEqual([
      null,
      "too_many_tokens",
      "too_many_tokens",
      "too_many_tokens",
    ]);
    expect(new ExampleFilter({ forbidRoles: ["system"] }).test(examples[1])).toBe("forbidden_role");
    expect(new ExampleFilter({ requireRoles: ["system"] }).test(examples[0])).toBe("missing_role");
  });

  it("refuses invalid patterns and stateful flags with a VALIDATION DomainError", () => {
    expect(() => new ExampleFilter({ include: [{ pattern: "(" }] })).toThrow(DomainError);
    try {
      new ExampleFilter({ exclude: [{ pattern: "a", flags: "g" }] });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).code).toBe("VALIDATION");
      expect((error as DomainError).issues[0].path).toBe("exclude.0.flags");
    }
  });

  it("runs patterns in RE2: ^(a+)+$ over 40 a's and a '!' answers, a backreference is refused naming its path", () => {
    const filter = new ExampleFilter({ include: [{ pattern: "^(a+)+$" }] });
    const evil = { messages: [{ role: "user" as const, content: `${"a".repeat(40)}!` }] };
    expect(filter.test(evil)).toBe("no_include_match");
    expect(filter.test({ messages: [{ role: "user", content: "aaaa" }] })).toBeNull();
    try {
      new ExampleFilter({ exclude: [{ pattern: "x" }, { pattern: "(a)\\1" }] });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).issues[0]).toEqual({
        path: "exclude.1.pattern",
        message: expect.stringMatching(/^Not a pattern RE2 can run: invalid escape sequence: `\\1` \(backreferences/),
      });
    }
  });
});

describe("train/validation split", () => {
  const options = { ratio: 0.9, salt: "dataset-42" };

  it("is deterministic: the same input gives the same split", async () => {
    const run = async () => (await toArray(splitExamples(many(1000), options))).map((s) => s.split);
    expect(await run()).toEqual(await run());
  });

  it("does not depend on order: each example's side is a function of its content and the salt", async () => {
    const examples = many(2000);
    const forward = new Map(
      (await toArray(splitExamples(examples, options))).map((s) => [s.example.messages[0].content, s.split]),
    );
    const backward = await toArray(splitExamples([...examples].reverse(), options));
    for (const { example, split } of backward) expect(split).toBe(forward.get(example.messages[0].content));
  });

  it("keeps the ratio within tolerance over 10,000 examples", () => {
    const examples = many(10_000);
    const train = examples.filter((e) => assignSplit(e, options) === "train").length;
    // Binomial(10000, 0.9): sd = 30; allow 4 sd.
    expect(Math.abs(train - 9000)).toBeLessThan(120);
    const other = examples.filter((e) => assignSplit(e, { ratio: 0.5, salt: "x" }) === "train").length;
    expect(Math.abs(other - 5000)).toBeLessThan(200);
  });

  it("sends duplicates to the same side, and a new salt reshuffles", () => {
    const a = qa("same", "content");
    expect(assignSplit({ ...a, metadata: { v: 1 } }, options)).toBe(assignSplit(a, options));
    const examples = many(1000);
    const moved = examples.filter(
      (e) => assignSplit(e, { ratio: 0.5, salt: "s1" }) !== assignSplit(e, { ratio: 0.5, salt: "s2" }),
    );
    expect(moved.length).toBeGreaterThan(400);
    expect(moved.length).toBeLessThan(600);
  });

  it("computes the split point from sha256(salt:hash) and refuses ratios outside (0, 1)", () => {
    const point = splitPoint("ab".repeat(32), "salt");
    expect(point).toBeGreaterThanOrEqual(0);
    expect(point).toBeLessThan(1);
    expect(() => assignSplit(qa("a", "b"), { ratio: 1 })).toThrow(DomainError);
    expect(() => assignSplit(qa("a", "b"), { ratio: 0 })).toThrow(
      "split ratio must be between 0 and 1 exclusive, got 0",
    );
  });
});

describe("merge", () => {
  it("concatenates in order, optionally dropping duplicates across sources", async () => {
    const first = [qa("a", "1"), qa("b", "2")];
    async function* second() {
      yield qa("b", "2");
      yield qa("c", "3");
    }
    const plain = await toArray(mergeExamples([first, second()]));
    expect(plain.map((e) => e.messages[0].content)).toEqual(["a", "b", "b", "c"]);
    const dedupe = new Deduplicator();
    const unique = await toArray(mergeExamples([first, second()], { dedupe }));
    expect(unique.map((e) => e.messages[0].content)).toEqual(["a", "b", "c"]);
    expect(dedupe.dropped).toBe(1);
  });
});

describe("k-anonymity", () => {
  // A tiny table: (country, age band) are the quasi-identifiers.
  const rows: [string | undefined, string][] = [
    ["FR", "30-39"],
    ["FR", "30-39"],
    ["FR", "30-39"],
    ["DE", "30-39"],
    ["DE", "30-39"],
    ["DE", "40-49"],
    [undefined, "40-49"],
  ];
  const examples = rows.map(([country, age], i) =>
    qa(`q${i}`, `a${i}`, country ? { user: { country, age }, other: i } : { user: { age } }),
  );

  it("reports k, the groups below the target and their combinations", async () => {
    const report = await kAnonymity(examples, ["user.country", "user.age"], 2);
    expect(report).toEqual({
      fields: ["user.country", "user.age"],
      examples: 7,
      groups: 4,
      k: 1,
      targetK: 2,
      groupsBelowK: 2,
      examplesBelowK: 2,
      below: [
        { values: { "user.country": "DE", "user.age": "40-49" }, count: 1 },
        { values: { "user.country": null, "user.age": "40-49" }, count: 1 },
      ],
      truncated: false,
    });
  });

  it("reaches the target on coarser quasi-identifiers and limits the listed groups", () => {
    const counter = new KAnonymityCounter(["user.age"]);
    for (const e of examples) counter.add(e);
    expect(counter.report(2)).toMatchObject({ groups: 2, k: 2, groupsBelowK: 0, below: [] });
    const byCountry = new KAnonymityCounter(["user.country"]);
    for (const e of examples) byCountry.add(e);
    expect(byCountry.report(4, 1)).toMatchObject({ k: 1, groupsBelowK: 3, examplesBelowK: 7, truncated: true });
    expect(byCountry.report(4, 1).below).toEqual([{ values: { "user.country": null }, count: 1 }]);
  });
});
