import { describe, expect, it } from "vitest";
import { routeConfig } from "./config";
import { applyDraft, type RouteDraft, readDraft, setPath } from "./form-sync";
import { GUARDS, insertGuard } from "./guards";
import { parseRouteSource } from "./parse";
import { STARTER_ROUTE } from "./starter";

const draftOf = (source: string): RouteDraft => {
  const read = readDraft(source);
  if (!read.ok) throw new Error(`not readable: ${JSON.stringify(read.issues)}`);
  return read.draft;
};
const edit = (source: string, path: (string | number)[], value: unknown) =>
  applyDraft(source, setPath(draftOf(source), path, value));

const COMMENTED = `# Support traffic: two deployments.
deployments:
  - model: gpt-large@production # primary
    weight: 3
  - model: vllm-local@2
    weight: 1
strategy: weighted # how load is spread
timeoutMs: 30000
retries:
  attempts: 1 # tries per deployment after the first
  backoffMs: 100
`;

/** A config that sets every field the schema has (what the form must be able to show and write). */
const EVERY_FIELD = {
  deployments: [{ model: "a@production", weight: 2 }],
  strategy: "lowest-latency",
  retries: { attempts: 2, backoffMs: 50, maxBackoffMs: 500 },
  timeoutMs: 1500,
  fallbacks: ["b", "c:3"],
  cooldown: { failures: 4, seconds: 12 },
  pipeline: {
    normalize: { trimWhitespace: false, mergeSystemMessages: true, unicodeNfc: false },
    grounding: { systemContext: "Be brief.", maxHistoryMessages: 8 },
    input: {
      blocklist: { words: ["x", "y"], action: "mask", caseSensitive: true },
      regex: [{ name: "ssn", pattern: "\\d{3}-\\d{2}-\\d{4}", flags: "", action: "flag", replacement: "[SSN]" }],
      pii: { action: "block", kinds: ["EMAIL"] },
      injection: { action: "flag", threshold: 0.7 },
      maxInputTokens: 4000,
    },
    cache: { enabled: true, ttlSeconds: 60, sampled: true },
    output: {
      blocklist: { words: ["z"], action: "block", caseSensitive: false },
      regex: [{ name: "card", pattern: "\\d{16}", flags: "i", action: "mask", replacement: "[CARD]" }],
      pii: { action: "mask" },
      holdbackChars: 16,
    },
    postprocess: { trimWhitespace: true, maxChars: 2000 },
  },
};

describe("applyDraft (form -> YAML)", () => {
  it("changes only the edited value: comments, key order and other lines stay as written", () => {
    const out = edit(COMMENTED, ["retries", "attempts"], 3);
    expect(out).toContain("# Support traffic: two deployments.");
    expect(out).toMatch(/attempts: 3 # tries per deployment after the first/);
    expect(out).toMatch(/model: gpt-large@production # primary/);
    expect(out).toMatch(/strategy: weighted # how load is spread/);
    const keys = out
      .split("\n")
      .filter((l) => /^\w/.test(l))
      .map((l) => l.split(":")[0]);
    expect(keys).toEqual(["deployments", "strategy", "timeoutMs", "retries"]);
    expect(draftOf(out)).toEqual(setPath(draftOf(COMMENTED), ["retries", "attempts"], 3));
  });

  it("appends new keys after the existing ones, removes cleared ones, and grows and shrinks lists", () => {
    let out = edit(COMMENTED, ["cooldown"], { failures: 5 });
    out = edit(out, ["timeoutMs"], undefined);
    out = edit(out, ["deployments"], [...(draftOf(out).deployments as unknown[]), { model: "third", weight: 0 }]);
    expect(out).not.toContain("timeoutMs");
    expect(out.trimEnd().split("\n").slice(-2)).toEqual(["cooldown:", "  failures: 5"]);
    expect(draftOf(out).deployments).toHaveLength(3);
    expect(out).toMatch(/model: gpt-large@production # primary/);
    out = edit(out, ["deployments"], (draftOf(out).deployments as unknown[]).slice(0, 1));
    expect(draftOf(out).deployments).toEqual([{ model: "gpt-large@production", weight: 3 }]);
    expect(out).toContain("# primary");
  });

  it("writes into an empty flow mapping as block YAML", () => {
    const out = edit("pipeline: {}\n", ["pipeline", "output", "holdbackChars"], 16);
    expect(out).toBe("pipeline:\n  output:\n    holdbackChars: 16\n");
  });

  it("round-trips every field of the schema, from an empty text and from a commented one", () => {
    for (const start of ["", COMMENTED]) {
      const out = applyDraft(start, EVERY_FIELD);
      expect(draftOf(out)).toEqual(EVERY_FIELD);
      const parsed = parseRouteSource(out);
      expect(parsed.ok && parsed.config).toEqual(routeConfig.parse(EVERY_FIELD));
    }
    // Each field also survives on its own, written into the commented text.
    const leaves = (value: unknown, path: (string | number)[] = []): [(string | number)[], unknown][] =>
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))
        : [[path, value]];
    for (const [path, value] of leaves(EVERY_FIELD)) {
      const out = edit(COMMENTED, path, value);
      let at: unknown = draftOf(out);
      for (const step of path) at = (at as Record<string | number, unknown>)[step];
      expect(at, path.join(".")).toEqual(value);
      expect(out, path.join(".")).toContain("# Support traffic: two deployments.");
    }
  });

  it("keeps JSON as JSON, in its key order", () => {
    const out = edit('{"strategy": "weighted", "deployments": []}', ["timeoutMs"], 900);
    expect(JSON.parse(out)).toEqual({ strategy: "weighted", deployments: [], timeoutMs: 900 });
    expect(Object.keys(JSON.parse(out))).toEqual(["strategy", "deployments", "timeoutMs"]);
  });
});

describe("readDraft (YAML -> form)", () => {
  it("gives the form the data as written, without defaults, and an empty text as {}", () => {
    expect(draftOf("")).toEqual({});
    expect(draftOf(COMMENTED).retries).toEqual({ attempts: 1, backoffMs: 100 });
  });

  it("reads text with schema errors (the form names them per field) but not broken YAML, which it names by line", () => {
    expect(draftOf("retries:\n  attempts: 99\n")).toEqual({ retries: { attempts: 99 } });
    const broken = readDraft("deployments:\n  - model: a\n  weight: [1,\n");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.issues[0]).toMatchObject({ line: 3 });
    const list = readDraft("- a\n- b\n");
    expect(!list.ok && list.issues[0].message).toMatch(/must be a mapping/);
    expect(readDraft('{"a": 1,}').ok).toBe(false);
  });
});

describe("guard snippets and the starter", () => {
  it("the starter is valid, and so is its commented guard example once uncommented", () => {
    expect(parseRouteSource(STARTER_ROUTE).ok).toBe(true);
    const uncommented = STARTER_ROUTE.split("\n")
      .map((line) => (/^# ( |pipeline)/.test(line) ? line.slice(2) : line))
      .join("\n");
    const parsed = parseRouteSource(uncommented);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(Object.keys(parsed.config.pipeline.input ?? {}).sort()).toEqual(["blocklist", "injection", "pii"]);
    expect(parsed.config.pipeline.output?.regex?.[0].name).toBe("card-number");
  });

  it("inserts every guard kind as a valid, commented snippet that names what it costs", () => {
    for (const guard of GUARDS) {
      const out = insertGuard(STARTER_ROUTE, guard.stage, guard.kind);
      const parsed = parseRouteSource(out);
      if (!parsed.ok) throw new Error(`${guard.stage}.${guard.kind}: ${JSON.stringify(parsed.issues)}`);
      const stage = parsed.config.pipeline[guard.stage] as Record<string, unknown>;
      expect(stage[guard.kind], `${guard.stage}.${guard.kind}`).toBeDefined();
      expect(out).toContain(`# ${guard.latency}`);
      expect(out).toContain("# Requests whose model is this route's name");
    }
  });

  it("appends a second regex guard with a new name instead of replacing the first", () => {
    const twice = insertGuard(insertGuard("", "output", "regex"), "output", "regex");
    const parsed = parseRouteSource(twice);
    expect(parsed.ok && parsed.config.pipeline.output?.regex?.map((g) => g.name)).toEqual([
      "card-number",
      "card-number-2",
    ]);
  });
});
