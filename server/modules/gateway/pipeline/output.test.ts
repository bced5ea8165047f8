import { describe, expect, it } from "vitest";
import { pipelineConfig } from "@/lib/routes/config";
import { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import type { GuardrailRecord } from "./actions";
import { GuardedTextStream, OutputProcessor, planOutput, type Release } from "./output";
import { TextGuards } from "./text-guards";

const guards = (config: unknown) => new TextGuards(pipelineConfig.parse({ output: config }).output!);

/** Feeds pieces, then ends; returns what was released, whether and why it stopped, and the actions. */
function run(stream: { push(t: string): Release; end(): Release }, pieces: string[]) {
  let text = "";
  let stop: Release["stop"];
  const releases: string[] = [];
  for (const piece of pieces) {
    const r = stream.push(piece);
    text += r.text;
    releases.push(r.text);
    if (r.stop) {
      stop = r.stop;
      break;
    }
  }
  if (!stop) {
    const r = stream.end();
    text += r.text;
    releases.push(r.text);
    stop = r.stop;
  }
  return { text, stop, releases };
}

function guarded(config: unknown, pieces: string[], window = 64) {
  const actions: GuardrailRecord[] = [];
  const stream = new GuardedTextStream(guards(config), new PiiPlaceholders(), actions, window);
  return { ...run(stream, pieces), actions };
}

/** Every way to cut `text` into two or three pieces (all boundaries, pairs of boundaries). */
function splits(text: string): string[][] {
  const out: string[][] = [[text]];
  for (let i = 1; i < text.length; i++) {
    out.push([text.slice(0, i), text.slice(i)]);
    for (let j = i + 1; j < text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

describe("output guards on a stream: matches split across chunks", () => {
  const blocklistMask = { blocklist: { words: ["secret plan", "zorp"], action: "mask" } };

  it("masks a blocklisted phrase however the text is cut", () => {
    const text = "Our Secret Plan is zorp, not zorpy.";
    for (const pieces of splits(text)) {
      const { text: out, stop, actions } = guarded(blocklistMask, pieces);
      expect(out, JSON.stringify(pieces)).toBe("Our *** is ***, not zorpy.");
      expect(stop).toBeUndefined();
      expect(actions).toEqual([{ stage: "output", rule: "blocklist", action: "mask", count: 2 }]);
    }
  });

  it("holds back only a possible blocklist prefix, and releases text that cannot start a word", () => {
    const { releases } = guarded(blocklistMask, ["hello wor", "ld zo", "rk"]);
    expect(releases).toEqual(["hello wor", "ld ", "zork", ""]);
  });

  it("does not match inside a longer word (word boundary), whatever the cut", () => {
    for (const pieces of splits("zorpy and azorp")) expect(guarded(blocklistMask, pieces).text).toBe("zorpy and azorp");
  });

  it("stops at a blocked word with content_filter, releasing exactly the text before it", () => {
    const text = "Fine words, then the zorp appears and more.";
    for (const pieces of splits(text)) {
      const { text: out, stop, actions } = guarded({ blocklist: { words: ["zorp"] } }, pieces);
      expect(out, JSON.stringify(pieces)).toBe("Fine words, then the ");
      expect(stop).toBe("content_filter");
      expect(actions).toEqual([{ stage: "output", rule: "blocklist", action: "block", count: 1 }]);
    }
  });

  it("masks an e-mail split across chunks with a consistent placeholder, at every cut", () => {
    const text = "Mail bob.smith@example.com or BOB.SMITH@example.com, or ann@example.org.";
    for (const pieces of splits(text)) {
      const { text: out, actions } = guarded({ pii: { action: "mask" } }, pieces);
      expect(out, JSON.stringify(pieces)).toBe("Mail <EMAIL_1> or <EMAIL_1>, or <EMAIL_2>.");
      expect(actions).toEqual([{ stage: "output", rule: "pii", action: "mask", count: 3, kinds: { EMAIL: 3 } }]);
    }
  });

  it("masks a phone number whose groups arrive one by one", () => {
    const { text } = guarded({ pii: { kinds: ["PHONE"] } }, ["call 020 ", "7946 ", "0958", " today"]);
    expect(text).toBe("call <PHONE_1> today");
  });

  it("applies a regex split across chunks, with its replacement", () => {
    const config = { regex: [{ name: "ticket", pattern: "TCK-\\d{4}", action: "mask", replacement: "[ticket]" }] };
    for (const pieces of splits("see TCK-1234 now")) expect(guarded(config, pieces).text).toBe("see [ticket] now");
  });

  it("flags without changing the text and counts each match once", () => {
    const { text, actions } = guarded({ regex: [{ name: "refund", pattern: "refund", action: "flag" }] }, [
      "a ref",
      "und and a refund",
      "",
    ]);
    expect(text).toBe("a refund and a refund");
    expect(actions).toEqual([{ stage: "output", rule: "regex:refund", action: "flag", count: 2 }]);
  });

  it("a block wins over a mask on the same text", () => {
    const { text, stop } = guarded(
      { pii: { action: "mask" }, regex: [{ name: "mail", pattern: "@example", action: "block" }] },
      ["write to ann@exa", "mple.com now"],
    );
    expect(text).toBe("write to ann");
    expect(stop).toBe("content_filter");
  });

  it("never splits an emoji (surrogate pair) between releases, and keeps every character", () => {
    const text = "😀 zorp 😀👍🏽 déjà vu 😀";
    for (const pieces of splits(text)) {
      const { releases, text: out } = guarded({ blocklist: { words: ["zorp"], action: "mask" } }, pieces, 3);
      expect(out).toBe("😀 *** 😀👍🏽 déjà vu 😀");
      for (const r of releases) {
        if (!r) continue;
        expect(r.charCodeAt(r.length - 1) >= 0xd800 && r.charCodeAt(r.length - 1) <= 0xdbff, JSON.stringify(r)).toBe(
          false,
        );
      }
    }
  });

  it("masks a secret longer than the window: PII holds back a whole unbroken run", () => {
    // A JWT is recognisable only once its third part has started: far past an 8-character window.
    const secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const text = `token ${secret} done`;
    const pieces = text.match(/.{1,5}/gs)!;
    const { text: out, releases } = guarded({ pii: { kinds: ["SECRET"] } }, pieces, 8);
    expect(out).toBe("token <SECRET_1> done");
    expect(releases.some((r) => r.includes("eyJ"))).toBe(false);
  });

  it("releases text as it goes once it is past the window", () => {
    const { releases } = guarded(
      { regex: [{ name: "x", pattern: "xyz" }] },
      ["a".repeat(10), "b".repeat(10), "c".repeat(10)],
      15,
    );
    // 15 characters stay pending until the end: 10 → 0 out, 20 → 5 out, 30 → 15 out, end → the rest.
    expect(releases).toEqual(["", "aaaaa", "aaaaabbbbb", "bbbbbcccccccccc"]);
  });
});

describe("postprocess and the output processor", () => {
  const processor = (config: unknown) => {
    const plan = planOutput(pipelineConfig.parse(config))!;
    const actions: GuardrailRecord[] = [];
    return { proc: new OutputProcessor(plan, new PiiPlaceholders(), actions), actions };
  };

  it("is null when the config asks for nothing on the output", () => {
    expect(planOutput(pipelineConfig.parse({}))).toBeNull();
    expect(planOutput(pipelineConfig.parse({ postprocess: {} }))).toBeNull();
    expect(planOutput(pipelineConfig.parse({ output: {} }))).toBeNull();
  });

  it("trims leading and trailing whitespace of the whole answer, keeping inner whitespace", () => {
    const { proc } = processor({ postprocess: { trimWhitespace: true } });
    const { text, releases } = run(proc, ["\n  ", " Hello", "  ", " wor", "ld \n", "  "]);
    expect(text).toBe("Hello   world");
    expect(releases[0]).toBe("");
  });

  it("cuts at maxChars (code points) and stops with length", () => {
    const { proc } = processor({ postprocess: { maxChars: 5 } });
    expect(run(proc, ["ab😀", "cd", "ef"])).toMatchObject({ text: "ab😀cd", stop: "length" });
    const exact = processor({ postprocess: { maxChars: 4 } }).proc;
    expect(run(exact, ["ab", "cd"])).toMatchObject({ text: "abcd", stop: undefined });
  });

  it("masks before counting characters, and a block keeps the trimmed text before it", () => {
    const { proc, actions } = processor({
      output: { blocklist: { words: ["zorp"] } },
      postprocess: { trimWhitespace: true, maxChars: 100 },
    });
    expect(run(proc, ["  Hi there ", " zo", "rp later"])).toEqual({
      text: "Hi there",
      stop: "content_filter",
      releases: expect.any(Array),
    });
    expect(actions).toEqual([{ stage: "output", rule: "blocklist", action: "block", count: 1 }]);
  });

  it("says nothing more after it stopped", () => {
    const { proc } = processor({ postprocess: { maxChars: 2 } });
    expect(proc.push("abc")).toEqual({ text: "ab", stop: "length" });
    expect(proc.push("def")).toEqual({ text: "" });
    expect(proc.end()).toEqual({ text: "" });
  });
});
