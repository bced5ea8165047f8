import { describe, expect, it } from "vitest";
import { buildTestModel } from "./model-builder";
import { IncrementalDetokenizer, StopMatcher } from "./text-stream";
import { ModelTokenizer, pickChatTemplate } from "./tokenizer";

const files = buildTestModel();
const tokenizerConfig = files.json["tokenizer_config.json"] as Record<string, unknown>;
const tokenizer = new ModelTokenizer(
  files.json["tokenizer.json"] as object,
  tokenizerConfig,
  pickChatTemplate(tokenizerConfig),
);
const TEXT = "héllo wörld — 日本語 🚀";

/** No lone surrogates: the string is valid Unicode (String#isWellFormed, not in ES2023's typings). */
const isWellFormed = (text: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe("test model tokenizer", () => {
  it("round-trips non-ASCII text byte by byte", () => {
    const ids = tokenizer.encode(TEXT);
    expect(ids.length).toBe(new TextEncoder().encode(TEXT).length);
    expect(tokenizer.decode(ids)).toBe(TEXT);
  });

  it("merges the demo words into single tokens", () => {
    expect(tokenizer.encode("Hello tiny demo model").length).toBe(4);
  });

  it("formats chat with the template, special tokens kept whole", () => {
    const prompt = tokenizer.formatChat([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
    expect(prompt).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    );
    const ids = tokenizer.encodePrompt({ messages: [{ role: "user", content: "hi" }] });
    expect(ids.filter((id) => id === tokenizer.tokenId("<|im_start|>"))).toHaveLength(2);
    expect(tokenizer.decode(ids, false)).toBe("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  });
});

describe("IncrementalDetokenizer", () => {
  it("never releases half a character, and the deltas add up to the decoded text", () => {
    const ids = tokenizer.encode(TEXT);
    const stream = new IncrementalDetokenizer((chunk) => tokenizer.decode(chunk), tokenizer.encode("abc"));
    const deltas = ids.map((id) => stream.push(id));
    deltas.push(stream.flush());
    expect(deltas.join("")).toBe(TEXT);
    for (const delta of deltas) {
      expect(delta).not.toContain("\uFFFD");
      expect(isWellFormed(delta)).toBe(true);
    }
    // 🚀 is four byte tokens: the first three release nothing, the fourth the whole rocket.
    expect(deltas.slice(-5, -1)).toEqual(["", "", "", "🚀"]);
  });
});

describe("StopMatcher", () => {
  const run = (stops: string[], deltas: string[]) => {
    const matcher = new StopMatcher(stops);
    let text = "";
    for (const delta of deltas) {
      const result = matcher.push(delta);
      text += result.text;
      if (result.stopped) return { text, stopped: true };
    }
    return { text: text + matcher.flush(), stopped: false };
  };

  it("cuts before a stop sequence split across deltas, and never emits it", () => {
    expect(run(["END"], ["abc E", "N", "D more"])).toEqual({ text: "abc ", stopped: true });
    expect(run(["\n\n", "###"], ["one\n", "two#", "##"])).toEqual({ text: "one\ntwo", stopped: true });
  });

  it("releases held text once it can no longer start a stop sequence", () => {
    const matcher = new StopMatcher(["END"]);
    expect(matcher.push("abc E")).toEqual({ text: "abc ", stopped: false });
    expect(matcher.push("x")).toEqual({ text: "Ex", stopped: false });
    expect(run(["END"], ["abc EN"])).toEqual({ text: "abc EN", stopped: false });
  });
});
