import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { importJsonl } from "./import";
import { assertImportable, decideImport, ImportRejectedError, ISSUE_CODES, type IssueSummary } from "./issues";
import { bytes, chunked, collect, jsonl } from "./test-helpers";
import { type ValidatedLine, validateJsonl } from "./validate";

const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });
const ok = { messages: [{ role: "system", content: "You are terse." }, user("Hi"), assistant("Hello.")] };

/** One line per problem; the line numbers below are the contract. */
const FIXTURE = bytes(
  [0xef, 0xbb, 0xbf],
  `${JSON.stringify(ok)}\n`, // 1: valid, with the BOM
  '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hel\n', // 2
  "[1,2,3]\n", // 3
  '{"metadata":{"source":"web"}}\n', // 4
  `${JSON.stringify({ messages: [{ role: "user" }, assistant("x")] })}\n`, // 5
  `${JSON.stringify({ messages: [{ role: "user", content: "Hi", foo: 1 }, assistant("x")] })}\n`, // 6
  `${JSON.stringify({ messages: [{ role: "bot", content: "Hi" }, assistant("x")] })}\n`, // 7
  `${JSON.stringify({ messages: [user(""), assistant("x")] })}\n`, // 8
  `${JSON.stringify({ messages: [user("Hi")] })}\n`, // 9
  "\n", // 10
  '{"messages":"',
  [0xff],
  '"}\n', // 11
  `${JSON.stringify({ messages: [user("y".repeat(600)), assistant("x")] })}\n`, // 12
  `${JSON.stringify({ ...ok, extra: true })}\n`, // 13
  `${JSON.stringify({ prompt: "a", completion: "b" })}\n`, // 14
  `${JSON.stringify({
    messages: [
      { ...user("Hi"), weight: 1 },
      { ...assistant("x"), weight: 2 },
    ],
  })}\n`, // 15
  `${JSON.stringify({ messages: [user("z".repeat(300)), assistant("x")] })}\n`, // 16
  `${JSON.stringify({ messages: [user("Hi"), { ...assistant("Hello"), weight: 0 }], metadata: { a: 1 } })}\r\n`, // 17
  `${JSON.stringify({ messages: [] })}\n`, // 18
  `${JSON.stringify({ messages: ["hi", assistant("x")], metadata: 5 })}\n`, // 19
  '{"messages":[{"role":"user","content":"a\\u0000b"},{"role":"assistant","content":"x"}]}\n', // 20
  '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"x"}],"metadata":{"n":"\\ud800"}}\n', // 21
);

// Tokens = characters, so line 16 (300 + 1 + …) is over a 200-token limit while the others are not.
const OPTIONS = { maxLineBytes: 512, maxTokensPerExample: 200, countTokens: (t: string) => t.length };

async function validateFixture(): Promise<ValidatedLine[]> {
  return collect(validateJsonl(chunked(FIXTURE, 37), OPTIONS));
}

describe("validation: every issue code at its line", () => {
  it("reports each problem with its code, line and message", async () => {
    const lines = await validateFixture();
    const found = lines.flatMap((l) => [...l.errors, ...l.warnings]).map((i) => [i.line, i.code, i.message]);
    expect(found).toEqual([
      [1, "bom", "line 1: UTF-8 byte order mark at the start of the file (removed)"],
      [2, "invalid_json", expect.stringMatching(/^line 2: invalid JSON: .+/)],
      [3, "data_type", "line 3: expected a JSON object, got array"],
      [4, "missing_messages_list", "line 4: missing 'messages' list"],
      [5, "message_missing_key", "line 5: message 1 is missing 'content'"],
      [6, "message_unrecognized_key", "line 6: message 1 has unrecognized key 'foo'"],
      [
        7,
        "unrecognized_role",
        "line 7: message 1 has unrecognized role 'bot' (expected one of system, user, assistant, function)",
      ],
      [8, "missing_content", "line 8: message 1 has empty content"],
      [9, "example_missing_assistant_message", "line 9: example has no assistant message"],
      [10, "empty_line", "line 10: empty line (skipped)"],
      [11, "invalid_utf8", "line 11: invalid UTF-8 at byte 14 of the line"],
      [
        12,
        "line_too_long",
        expect.stringMatching(/^line 12: line is \d+ bytes, over the limit of 512 bytes \(skipped\)$/),
      ],
      [13, "unrecognized_key", "line 13: unrecognized top-level key 'extra' (a chat line has 'messages', 'metadata')"],
      [14, "mixed_formats", "line 14: a completion example ('prompt'/'completion') in a chat dataset"],
      [15, "invalid_weight", "line 15: message 1 has a weight but only assistant messages may"],
      [15, "invalid_weight", "line 15: message 2 has weight 2 (must be 0 or 1)"],
      [16, "too_many_tokens", "line 16: example has 323 tokens, over the limit of 200"],
      [17, "crlf", "line 17: CRLF (\\r\\n) line endings; the \\r is removed (reported once per file)"],
      [18, "missing_messages_list", "line 18: 'messages' is an empty list"],
      [19, "data_type", "line 19: 'metadata' must be an object, got number"],
      [19, "data_type", "line 19: message 1 must be an object, got string"],
      [20, "nul_character", "line 20: messages[0].content holds a NUL character (\\u0000), which cannot be stored"],
      [
        21,
        "unpaired_surrogate",
        "line 21: metadata.n holds an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair), which is not valid Unicode",
      ],
    ]);
    // JSON paths point into the line.
    const paths = lines.flatMap((l) => l.errors).map((e) => [e.line, e.path]);
    expect(paths).toContainEqual([7, "messages[0].role"]);
    expect(paths).toContainEqual([15, "messages[1].weight"]);
    expect(paths).toContainEqual([19, "messages[0]"]);
    expect(paths).toContainEqual([20, "messages[0].content"]);
  });

  it("yields an example exactly for the valid lines", async () => {
    const lines = await validateFixture();
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(lines.filter((l) => l.example).map((l) => l.line)).toEqual([1, 17]);
    const seventeen = lines[16];
    expect(seventeen.example).toEqual({
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", weight: 0 },
      ],
      metadata: { a: 1 },
    });
    // 3 + (3 + 4 + 2) + (3 + 9 + 5) with tokens = characters.
    expect(seventeen.tokens).toBe(29);
    expect(seventeen.assistantTokens).toBe(5);
  });

  it("covers every issue code except the completion-only one in the chat fixture", async () => {
    const lines = await validateFixture();
    const seen = new Set(lines.flatMap((l) => [...l.errors, ...l.warnings]).map((i) => i.code));
    expect(ISSUE_CODES.filter((c) => !seen.has(c))).toEqual(["prompt_completion_missing_key"]);
  });

  it("counts the fixture's issues in the import summary", async () => {
    const result = await importJsonl(chunked(FIXTURE, 64), OPTIONS).run();
    expect(result.issues).toMatchObject({
      lines: 21,
      acceptedLines: 2,
      rejectedLines: 18,
      errors: 20,
      warnings: 3,
      truncated: false,
    });
    expect(result.issues.counts).toMatchObject({ invalid_weight: 2, missing_messages_list: 2, data_type: 3, bom: 1 });
    expect(result.stats.examplesMissingAssistant).toBe(1);
  });
});

describe("validation: messages and types", () => {
  const one = async (line: unknown, options = {}) => {
    const [validated] = await collect(validateJsonl([bytes(jsonl(line))], { format: "chat", ...options }));
    return validated;
  };

  it("lists several missing or unrecognized keys in one issue", async () => {
    const line = await one({ messages: [{ foo: 1, bar: 2 }, assistant("x")] });
    expect(line.errors.map((e) => e.message)).toEqual([
      "line 1: message 1 is missing 'role' and 'content'",
      "line 1: message 1 has unrecognized keys 'foo', 'bar'",
    ]);
  });

  it("follows the cookbook's content rule: a string, non-empty unless there is a function_call", async () => {
    expect((await one({ messages: [user("Hi"), { role: "assistant", content: null }] })).errors[0].message).toBe(
      "line 1: message 2 content must be a string, got null",
    );
    const call = { role: "assistant", content: "", function_call: { name: "f", arguments: "{}" } };
    const line = await one({ messages: [user("Hi"), call] });
    expect(line.errors).toEqual([]);
    expect(line.example?.messages[1].function_call).toEqual({ name: "f", arguments: "{}" });
  });

  it("accepts names on messages and the function role", async () => {
    const line = await one({
      messages: [
        { role: "user", content: "Hi", name: "ada" },
        { role: "function", content: "42", name: "f" },
        assistant("ok"),
      ],
    });
    expect(line.errors).toEqual([]);
    expect(line.example?.messages[0].name).toBe("ada");
  });

  it("refuses metadata nested deeper than 64 levels (canonical JSON recurses)", async () => {
    const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
    const line = await one(
      `{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"ok"}],"metadata":{"deep":${deep}}}`,
    );
    expect(line.errors.map((e) => e.message)).toEqual(["line 1: 'metadata' is nested deeper than 64 levels"]);
    let ok: unknown = 1;
    for (let i = 0; i < 60; i++) ok = { a: ok };
    expect((await one({ messages: [user("Hi"), assistant("ok")], metadata: { ok } })).errors).toEqual([]);
  });

  it("makes too_many_tokens a warning on request (the example is kept)", async () => {
    const line = await one(
      { messages: [user("long ".repeat(50)), assistant("ok")] },
      { maxTokensPerExample: 10, tooManyTokens: "warning" },
    );
    expect(line.errors).toEqual([]);
    expect(line.warnings.map((w) => w.code)).toEqual(["too_many_tokens"]);
    expect(line.example).toBeDefined();
  });
});

describe("formats", () => {
  const completions = jsonl(
    { prompt: "What is 2+2?", completion: "4" },
    { prompt: "Capital of France?", completion: "Paris", metadata: { topic: "geo" } },
    { prompt: "only a prompt" },
    { completion: "only a completion" },
    { prompt: "", completion: "empty prompt" },
    { prompt: 1, completion: "x", extra: 1 },
    { messages: [user("Hi"), assistant("Hello")] },
    { something: "else" },
  );

  it("detects completion files and converts examples to chat (user = prompt, assistant = completion)", async () => {
    const upload = importJsonl([bytes(completions)]);
    const lines = await collect(upload);
    expect(upload.result().format).toBe("completion");
    expect(lines[0].example).toEqual({ messages: [user("What is 2+2?"), assistant("4")] });
    expect(lines[1].example).toEqual({
      messages: [user("Capital of France?"), assistant("Paris")],
      metadata: { topic: "geo" },
    });
    expect(
      lines
        .slice(2)
        .flatMap((l) => l.errors)
        .map((e) => [e.line, e.code, e.message]),
    ).toEqual([
      [3, "prompt_completion_missing_key", "line 3: missing 'completion'"],
      [4, "prompt_completion_missing_key", "line 4: missing 'prompt'"],
      [5, "missing_content", "line 5: 'prompt' is empty"],
      [
        6,
        "unrecognized_key",
        "line 6: unrecognized top-level key 'extra' (a completion line has 'prompt', 'completion', 'metadata')",
      ],
      [6, "missing_content", "line 6: 'prompt' must be a string, got number"],
      [7, "mixed_formats", "line 7: a chat example ('messages') in a completion dataset"],
      [
        8,
        "unrecognized_key",
        "line 8: unrecognized top-level key 'something' (a completion line has 'prompt', 'completion', 'metadata')",
      ],
      [8, "prompt_completion_missing_key", "line 8: missing 'prompt' and 'completion'"],
    ]);
  });

  it("decides by majority of the first recognisable lines, not by the first line alone", async () => {
    const file = jsonl(
      { prompt: "p", completion: "c" },
      "not json",
      { messages: [user("a"), assistant("b")] },
      { messages: [user("c"), assistant("d")] },
    );
    const upload = importJsonl([bytes(file)], { detectionLines: 3 });
    const lines = await collect(upload);
    expect(upload.result().format).toBe("chat");
    expect(lines.map((l) => [l.line, l.errors.map((e) => e.code)])).toEqual([
      [1, ["mixed_formats"]],
      [2, ["invalid_json"]],
      [3, []],
      [4, []],
    ]);
  });

  it("breaks a tie in favour of the first recognisable line; an empty file is chat", async () => {
    const tie = importJsonl([
      bytes(jsonl({ prompt: "p", completion: "c" }, { messages: [user("a"), assistant("b")] })),
    ]);
    expect((await tie.run()).format).toBe("completion");
    expect((await importJsonl([bytes("")]).run()).format).toBe("chat");
  });

  it("honours a forced format", async () => {
    const upload = importJsonl([bytes(jsonl({ prompt: "p", completion: "c" }))], { format: "chat" });
    const [line] = await collect(upload);
    expect(line.errors.map((e) => e.code)).toEqual(["mixed_formats"]);
    expect(upload.result().format).toBe("chat");
  });

  it("releases held lines in order, whatever the chunking", async () => {
    const file = bytes(
      jsonl(...Array.from({ length: 25 }, (_, i) => ({ messages: [user(`q${i}`), assistant(`a${i}`)] }))),
    );
    for (const size of [1, 7, 4096]) {
      const lines = await collect(validateJsonl(chunked(file, size)));
      expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(lines.every((l) => l.example)).toBe(true);
    }
  });
});

describe("import policy", () => {
  const summary = (accepted: number, rejected: number, errors = rejected): IssueSummary => ({
    lines: accepted + rejected,
    acceptedLines: accepted,
    rejectedLines: rejected,
    errors,
    warnings: 0,
    counts: {},
    errorSample: Array.from({ length: Math.min(errors, 3) }, (_, i) => ({
      line: i + 1,
      code: "invalid_json" as const,
      message: `line ${i + 1}: invalid JSON: x`,
    })),
    warningSample: [],
    truncated: false,
  });

  it("strict accepts only a file without errors", () => {
    expect(decideImport(summary(10, 0), { mode: "strict" })).toEqual({
      accept: true,
      reason: "10 valid examples, no errors",
    });
    expect(decideImport(summary(10, 1), { mode: "strict" })).toEqual({
      accept: false,
      reason: "1 error on 1 line (strict mode accepts none)",
    });
  });

  it("lenient skips invalid lines up to the allowed fraction", () => {
    expect(decideImport(summary(90, 10), { mode: "lenient" }).accept).toBe(true);
    expect(decideImport(summary(89, 11), { mode: "lenient" })).toEqual({
      accept: false,
      reason: "11 of 100 lines are invalid (11 %), above the 10 % allowed",
    });
    expect(decideImport(summary(1, 99), { mode: "lenient", maxRejectedFraction: 1 }).accept).toBe(true);
  });

  it("never accepts a file without a valid example", () => {
    expect(decideImport(summary(0, 0), { mode: "lenient" })).toEqual({
      accept: false,
      reason: "the file has no examples",
    });
    expect(decideImport(summary(0, 3), { mode: "lenient", maxRejectedFraction: 1 }).accept).toBe(false);
  });

  it("assertImportable throws an UNPROCESSABLE DomainError with the sampled errors", () => {
    expect(() => assertImportable(summary(10, 0), { mode: "strict" })).not.toThrow();
    try {
      assertImportable(summary(5, 2), { mode: "strict" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const domain = error as DomainError;
      expect(domain.code).toBe("UNPROCESSABLE");
      expect(domain.message).toBe("dataset rejected: 2 errors on 2 lines (strict mode accepts none)");
      expect(domain.issues).toEqual([
        { path: "line 1", message: "line 1: invalid JSON: x" },
        { path: "line 2", message: "line 2: invalid JSON: x" },
      ]);
    }
  });

  it("a refusal lists errors and warnings apart and says when the lists are truncated", async () => {
    const good = JSON.stringify(ok);
    const file = `\uFEFF${[good, ...Array.from({ length: 150 }, () => "{oops"), ""].join("\r\n")}\r\n${good}`;
    const result = await importJsonl([bytes(file)]).run();
    try {
      assertImportable(result.issues, { mode: "strict" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ImportRejectedError);
      const { rejection, issues } = error as ImportRejectedError;
      expect(rejection).toMatchObject({ errorCount: 150, warningCount: 3, truncated: true, rejectedLines: 150 });
      expect(rejection.errors).toHaveLength(100);
      expect(rejection.errors.every((e) => e.code === "invalid_json")).toBe(true);
      expect(rejection.warnings.map((w) => w.code)).toEqual(["bom", "crlf", "empty_line"]);
      expect(issues).toHaveLength(100);
      expect(issues.some((i) => /BOM|byte order|CRLF|empty/i.test(i.message))).toBe(false);
    }
    const small = await importJsonl([bytes(`${good}\n{oops\n\n${good}`)]).run();
    expect(() => assertImportable(small.issues, { mode: "strict" })).toThrowError(
      expect.objectContaining({
        rejection: expect.objectContaining({ errorCount: 1, warningCount: 1, truncated: false }),
      }),
    );
  });

  it("lenient takes the caller's rejected-line fraction", () => {
    expect(decideImport(summary(80, 20), { mode: "lenient" }).accept).toBe(false);
    expect(decideImport(summary(80, 20), { mode: "lenient", maxRejectedFraction: 0.2 }).accept).toBe(true);
    expect(decideImport(summary(99, 1), { mode: "lenient", maxRejectedFraction: 0 })).toEqual({
      accept: false,
      reason: "1 of 100 lines are invalid (1 %), above the 0 % allowed",
    });
  });
});

describe("values PostgreSQL cannot store", () => {
  const one = async (text: string) => {
    const [validated] = await collect(validateJsonl([bytes(text)], { format: "chat" }));
    return validated;
  };
  const line = (content: string, extra = "") =>
    `{"messages":[{"role":"user","content":"${content}"},{"role":"assistant","content":"x"}]${extra}}`;

  it("refuses NUL and unpaired surrogates wherever they are, naming the line and the path", async () => {
    for (const [text, code, path] of [
      [line("\\u0000"), "nul_character", "messages[0].content"],
      [line("ok", ',"metadata":{"a":["x","\\u0000"]}'), "nul_character", "metadata.a[1]"],
      [line("ok", ',"metadata":{"k\\u0000":1}'), "nul_character", "metadata.k\u0000"],
      [line("\\ud83d"), "unpaired_surrogate", "messages[0].content"],
      [line("\\udc00\\ud83d"), "unpaired_surrogate", "messages[0].content"],
      [line("ok", ',"metadata":{"x":"\\uDFFF"}'), "unpaired_surrogate", "metadata.x"],
    ] as const) {
      const result = await one(text);
      expect(result.example, text).toBeUndefined();
      expect(
        result.errors.map((e) => [e.code, e.path]),
        text,
      ).toEqual([[code, path]]);
      expect(result.errors[0].message).toMatch(/^line 1: /);
    }
  });

  it("keeps paired surrogates, an escaped backslash before u0000 and other escapes", async () => {
    for (const content of ["\\ud83d\\ude00", "\\\\u0000", "tab\\tnew\\nline \\u00e9"]) {
      const result = await one(line(content));
      expect(result.errors, content).toEqual([]);
      expect(result.example).toBeDefined();
    }
  });
});
