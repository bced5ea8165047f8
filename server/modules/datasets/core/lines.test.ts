import { describe, expect, it } from "vitest";
import { firstInvalidUtf8, LineSplitter, readJsonlLines, type TextLine } from "./lines";
import { bytes, chunked, collect, webStream } from "./test-helpers";

const read = (source: Parameters<typeof readJsonlLines>[0], options = {}) => collect(readJsonlLines(source, options));
const codes = (line: TextLine) => [...line.errors, ...line.warnings].map((i) => i.code);

describe("readJsonlLines", () => {
  it("splits on \\n; a final newline does not start a line; the last line may lack one", async () => {
    expect((await read([bytes("a\nb\n")])).map((l) => l.text)).toEqual(["a", "b"]);
    expect((await read([bytes("a\nb")])).map((l) => l.text)).toEqual(["a", "b"]);
    expect(await read([bytes("")])).toEqual([]);
  });

  it("gives the same lines whatever the chunking (every split point, one byte at a time, a web stream)", async () => {
    const data = bytes('{"a":"é"}\r\n\n', [0xff], "\nx\n東京\n");
    const reference = await read([data]);
    expect(reference.map((l) => [l.line, l.text, codes(l)])).toEqual([
      [1, '{"a":"é"}', ["crlf"]],
      [2, undefined, ["empty_line"]],
      [3, undefined, ["invalid_utf8"]],
      [4, "x", []],
      [5, "東京", []],
    ]);
    for (let cut = 1; cut < data.length; cut++) {
      expect(await read([data.slice(0, cut), data.slice(cut)])).toEqual(reference);
    }
    expect(await read(chunked(data, 1))).toEqual(reference);
    expect(await read(webStream(chunked(data, 3)))).toEqual(reference);
  });

  it("removes a BOM at the start of the file with a warning", async () => {
    const [first, second] = await read([bytes([0xef, 0xbb, 0xbf], '{"x":1}\n{"y":2}\n')]);
    expect(first.text).toBe('{"x":1}');
    expect(first.warnings).toEqual([
      { line: 1, code: "bom", message: "line 1: UTF-8 byte order mark at the start of the file (removed)" },
    ]);
    expect(second.warnings).toEqual([]);
  });

  it("keeps a BOM that is not at the start of the file (JSON parsing then reports it)", async () => {
    const lines = await read([bytes("{}\n", [0xef, 0xbb, 0xbf], "{}\n")]);
    expect(lines[1].text).toBe("\uFEFF{}");
    expect(lines[1].warnings).toEqual([]);
  });

  it("accepts CRLF, strips the \\r and warns once per file", async () => {
    const lines = await read([bytes("a\r\nb\r\nc")]);
    expect(lines.map((l) => l.text)).toEqual(["a", "b", "c"]);
    expect(lines.map((l) => l.warnings.map((w) => w.code))).toEqual([["crlf"], [], []]);
    expect(lines[0].warnings[0].message).toBe(
      "line 1: CRLF (\\r\\n) line endings; the \\r is removed (reported once per file)",
    );
  });

  it("reports invalid UTF-8 with the line and the byte offset", async () => {
    // line 2: "ab" then a lone continuation byte; line 3: a truncated 3-byte sequence; line 4: an overlong "/".
    const lines = await read([bytes("ok\nab", [0x80], "\n", [0xe6, 0x9d], "\n", [0xc0, 0xaf], "\n")]);
    expect(lines.map((l) => l.errors.map((e) => e.message))).toEqual([
      [],
      ["line 2: invalid UTF-8 at byte 3 of the line"],
      ["line 3: invalid UTF-8 at byte 1 of the line"],
      ["line 4: invalid UTF-8 at byte 1 of the line"],
    ]);
    expect(lines[1].text).toBeUndefined();
  });

  it("finds the first invalid UTF-8 byte (surrogates, above U+10FFFF)", () => {
    expect(firstInvalidUtf8(bytes("héllo"))).toBe(6);
    expect(firstInvalidUtf8(bytes("a", [0xed, 0xa0, 0x80]))).toBe(1); // U+D800
    expect(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // U+110000
    expect(firstInvalidUtf8(bytes("😀", [0xff]))).toBe(4);
  });

  it("skips empty and blank lines with a warning, or reports them as errors", async () => {
    const data = bytes('{"a":1}\n\n  \t\n{"b":2}\n');
    const skipped = await read([data]);
    expect(skipped.map((l) => [l.line, l.text, l.warnings.map((w) => w.message), l.errors.length])).toEqual([
      [1, '{"a":1}', [], 0],
      [2, undefined, ["line 2: empty line (skipped)"], 0],
      [3, undefined, ["line 3: empty line (skipped)"], 0],
      [4, '{"b":2}', [], 0],
    ]);
    const strict = await read([data], { emptyLines: "error" });
    expect(strict.map((l) => l.errors.map((e) => e.code))).toEqual([[], ["empty_line"], ["empty_line"], []]);
  });

  it("skips a line over the byte limit and goes on at the next newline", async () => {
    const long = "x".repeat(100);
    const lines = await read(chunked(bytes(`ok\n${long}\nafter\n`), 7), { maxLineBytes: 64 });
    expect(lines.map((l) => [l.line, l.text, l.errors.map((e) => e.message)])).toEqual([
      [1, "ok", []],
      [2, undefined, ["line 2: line is 100 bytes, over the limit of 64 bytes (skipped)"]],
      [3, "after", []],
    ]);
    // Exactly at the limit is fine, CRLF or not.
    const edge = await read([bytes(`${"y".repeat(64)}\r\n${"z".repeat(64)}`)], { maxLineBytes: 64 });
    expect(edge.map((l) => [l.text?.length, l.errors.length])).toEqual([
      [64, 0],
      [64, 0],
    ]);
  });

  it("never holds more than the limit of an over-long line", () => {
    const splitter = new LineSplitter({ maxLineBytes: 1024 });
    const piece = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 100; i++) expect(splitter.push(piece)).toEqual([]);
    const held = (splitter as unknown as { pending: Uint8Array[] }).pending;
    expect(held.reduce((n, p) => n + p.length, 0)).toBe(0);
    const [line] = splitter.push(bytes("\n"));
    expect(line.byteLength).toBe(100 * 64 * 1024);
    expect(line.errors[0].code).toBe("line_too_long");
  });

  it("copies a line tail held across chunks, so a source may reuse its buffer", async () => {
    const buffer = new Uint8Array(8);
    async function* reusing() {
      for (const part of ["ab", "cd\nef", "\n"]) {
        buffer.fill(0);
        const encoded = new TextEncoder().encode(part);
        buffer.set(encoded);
        yield buffer.subarray(0, encoded.length);
      }
    }
    expect((await read(reusing())).map((l) => l.text)).toEqual(["abcd", "ef"]);
  });
});

describe("sources", () => {
  it("cancels a web stream when the consumer stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("{}\n".repeat(10)));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const batch of readJsonlLines(stream)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(cancelled).toBe(true);
  });
});
