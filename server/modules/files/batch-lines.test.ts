import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { batchBodyProblem } from "@/server/modules/gateway/batch-body";
import { type BatchLimits, parseStoredBatchLine, validateBatchLines } from "./batch-lines";
import { OversizeLine, splitLines } from "./lines";

const LIMITS: BatchLimits = { maxLines: 100, maxLineBytes: 1024 };

const chat = (customId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "demo", messages: [{ role: "user", content: "hi" }] },
    ...extra,
  });

async function* chunks(...parts: (string | Uint8Array)[]) {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

/** Validates a whole file given as text (or bytes), as the upload does: split, then checked. */
const validate = (content: string | Uint8Array, limits = LIMITS) =>
  validateBatchLines(splitLines(chunks(content), limits.maxLineBytes), limits, batchBodyProblem);

async function refusal(content: string | Uint8Array, limits = LIMITS): Promise<DomainError> {
  const error = await validate(content, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("splitLines", () => {
  const collect = async (parts: string[], max = 100) => {
    const lines: (string | number)[] = [];
    for await (const line of splitLines(chunks(...parts), max))
      lines.push(line instanceof OversizeLine ? -line.bytes : Buffer.from(line).toString());
    return lines;
  };

  it("joins lines across chunks, drops \\r, and a final newline starts no line", async () => {
    expect(await collect(["ab", "c\r\nd", "e\n"])).toEqual(["abc", "de"]);
    expect(await collect(["a\n\nb"])).toEqual(["a", "", "b"]);
    expect(await collect([""])).toEqual([]);
  });

  it("skips the bytes of a line past the limit instead of keeping them", async () => {
    expect(await collect(["x".repeat(8), "y".repeat(8), "\nok"], 10)).toEqual([-16, "ok"]);
  });
});

describe("validateBatchLines", () => {
  it("counts the lines of a good file (a final newline allowed)", async () => {
    expect(await validate(`${chat("a")}\n${chat("b")}\n`)).toEqual({ lineCount: 2 });
    expect(await validate(chat("only"))).toEqual({ lineCount: 1 });
  });

  it("names every bad line by number, with what is wrong", async () => {
    const lines = [
      chat("a"),
      "{not json",
      "[1,2]",
      chat("a"),
      chat(""),
      chat("b", { method: "GET" }),
      chat("c", { url: "/v1/images" }),
      chat("d", { url: "/v1/embeddings", body: { model: "e", input: "x" } }),
      chat("e", { body: { model: "demo", messages: [{ role: "robot", content: "hi" }] } }),
      chat("f", { body: { model: "demo", messages: [], stream: true } }),
      chat("g", { body: "text" }),
      JSON.stringify({ method: "POST", url: "/v1/chat/completions", body: {} }),
    ];
    const { message } = await refusal(lines.join("\n"));
    expect(message).toMatch(/^11 lines are invalid in the batch input file: /);
    expect(message).toContain("line 2: is not valid JSON");
    expect(message).toContain("line 3: is not a JSON object");
    expect(message).toContain('line 4: custom_id "a" was already used on line 1');
    expect(message).toContain("line 5: custom_id is empty");
    expect(message).toContain('line 6: method must be "POST" (got "GET")');
    expect(message).toContain(
      'line 7: url must be one of /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses (got "/v1/images")',
    );
    expect(message).toContain("line 8: url /v1/embeddings differs from the first line's /v1/chat/completions");
    expect(message).toContain("line 9: body.messages.0.role: role must be");
    expect(message).toContain("line 10: body.stream must not be true");
    expect(message).toContain("line 11: body must be a JSON object");
    expect(message).toContain("line 12: custom_id is missing or not a string; body.model must be a non-empty string");
    expect(message).not.toContain("line 1:");
  });

  it("checks each endpoint's body with the gateway's own rules", async () => {
    const line = (url: string, body: unknown) => JSON.stringify({ custom_id: "x", method: "POST", url, body });
    expect((await refusal(line("/v1/embeddings", { model: "e" }))).message).toContain(
      "line 1: body.input: input is required",
    );
    expect((await refusal(line("/v1/responses", { model: "m" }))).message).toContain(
      "line 1: body.input: input is required",
    );
    expect((await refusal(line("/v1/completions", { model: "m", n: 2 }))).message).toContain("body.n: Only n = 1");
    expect(await validate(line("/v1/responses", { model: "m", input: "hi" }))).toEqual({ lineCount: 1 });
    expect(await validate(line("/v1/embeddings", { model: "e", input: ["a", "b"] }))).toEqual({ lineCount: 1 });
  });

  it("refuses blank lines inside the file and more than one final newline", async () => {
    expect((await refusal(`${chat("a")}\n\n${chat("b")}\n`)).message).toBe(
      "1 line is invalid in the batch input file: line 2: is blank (only one final newline may end the file)",
    );
    expect((await refusal(`${chat("a")}\n\n`)).message).toContain("line 2: is blank");
  });

  it("refuses NUL bytes, invalid UTF-8, NUL escapes and overlong lines by line", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${chat("a")}\n`),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
      Buffer.from(`${chat("b\0")}\n`),
      Buffer.from(`{"x":"\0"}\n`),
      Buffer.from(`${chat("c", { pad: "z".repeat(2000) })}\n`),
    ]);
    const { message } = await refusal(bytes);
    expect(message).toContain("line 2: is not valid UTF-8");
    expect(message).toContain("line 3: custom_id:");
    expect(message).toContain("line 4: contains a NUL byte");
    expect(message).toContain("line 5: longer than the 1024-byte limit for one line");
  });

  it("refuses an empty file and one past the line limit", async () => {
    expect((await refusal("")).message).toContain("is empty");
    const many = Array.from({ length: 4 }, (_, i) => chat(`id${i}`)).join("\n");
    expect((await refusal(many, { ...LIMITS, maxLines: 3 })).message).toContain("more than 3 lines");
  });

  it("names the first 20 bad lines and counts the rest", async () => {
    const { message } = await refusal(Array.from({ length: 25 }, () => "nope").join("\n"));
    expect(message).toContain("line 20: is not valid JSON");
    expect(message).not.toContain("line 21:");
    expect(message).toMatch(/25 lines are invalid.*; and 5 more$/);
  });
});

describe("parseStoredBatchLine", () => {
  it("gives the executor the request with its line number", () => {
    expect(parseStoredBatchLine(chat("a"), 7)).toEqual({
      line: 7,
      customId: "a",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "demo", messages: [{ role: "user", content: "hi" }] },
    });
  });
});
