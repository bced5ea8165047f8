import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  DatasetHasher,
  exampleHash,
  exportJsonl,
  exportJsonlStream,
  recordLine,
  trainingLine,
} from "./canonical";
import { importJsonl } from "./import";
import { bytes, chunked, collect, jsonl, toArray } from "./test-helpers";
import type { DatasetExample } from "./types";

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

async function examplesOf(data: Uint8Array, options = {}): Promise<DatasetExample[]> {
  const lines = await collect(importJsonl(chunked(data, 1000), options));
  return lines.flatMap((l) => (l.example ? [l.example] : []));
}

describe("canonical JSON", () => {
  it("sorts keys (UTF-16 order), drops whitespace and keeps values exactly", () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: "x", c: 2.5 }], é: "é", B: "\r\n" })).toBe(
      '{"B":"\\r\\n","a":[true,null,{"c":2.5,"d":"x"}],"b":1,"é":"é"}',
    );
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it("writes the training line with message keys in sorted order, whatever the input order", () => {
    const example: DatasetExample = {
      messages: [
        { role: "user", content: "Hi\r\n  there", name: "ada" },
        { weight: 0, role: "assistant", content: "Hello", function_call: { name: "f", arguments: "{}" } } as never,
      ],
      metadata: { z: 1, a: 2 },
    };
    expect(trainingLine(example)).toBe(
      '{"messages":[{"content":"Hi\\r\\n  there","name":"ada","role":"user"},' +
        '{"content":"Hello","function_call":{"arguments":"{}","name":"f"},"role":"assistant","weight":0}]}',
    );
    expect(recordLine(example)).toBe(`${trainingLine(example).slice(0, -1)},"metadata":{"a":2,"z":1}}`);
    expect(exampleHash(example)).toBe(sha256(trainingLine(example)));
  });

  it("gives the same line for the same content written differently in the file", async () => {
    const a = '{"messages":[{"role":"user","content":"caf\\u00e9"},{"role":"assistant","content":"ok"}]}';
    const b = '{ "messages" : [ {"content":"café", "role":"user"}, {"content":"ok","role":"assistant"} ] }';
    const [x, y] = await examplesOf(bytes(`${a}\n${b}\n`));
    expect(trainingLine(x)).toBe(trainingLine(y));
  });
});

describe("dataset hashes", () => {
  it("hashes the empty dataset to sha256 of nothing", () => {
    const { contentHash, recordsHash } = new DatasetHasher().digest();
    expect(contentHash).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(recordsHash).toBe(contentHash);
  });

  it("is sha256 over the canonical lines in order, each ending in \\n; order matters", () => {
    const a = { messages: [{ role: "user" as const, content: "a" }] };
    const b = { messages: [{ role: "user" as const, content: "b" }] };
    const hasher = new DatasetHasher();
    hasher.add(a);
    hasher.add(b);
    expect(hasher.digest().contentHash).toBe(sha256(`${trainingLine(a)}\n${trainingLine(b)}\n`));
    const reversed = new DatasetHasher();
    reversed.add(b);
    reversed.add(a);
    expect(reversed.digest().contentHash).not.toBe(hasher.digest().contentHash);
  });

  it("covers metadata in the records hash only", () => {
    const plain = { messages: [{ role: "user" as const, content: "a" }] };
    const tagged = { ...plain, metadata: { source: "x" } };
    const h1 = new DatasetHasher();
    h1.add(plain);
    h1.add(plain);
    const h2 = new DatasetHasher();
    h2.add(plain);
    h2.add(tagged);
    expect(h2.digest().contentHash).toBe(h1.digest().contentHash);
    expect(h2.digest().recordsHash).not.toBe(h1.digest().recordsHash);
    expect(h2.digest().recordsHash).toBe(sha256(`${recordLine(plain)}\n${recordLine(tagged)}\n`));
  });
});

describe("export and re-import", () => {
  const source = bytes(
    [0xef, 0xbb, 0xbf],
    jsonl(
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      },
      '{"metadata":{"lang":"fr","tags":["b","a"]},"messages":[{"content":"Ça va ?\\n","role":"user"},{"weight":1,"role":"assistant","content":"Oui 😀"}]}',
      "garbage line",
      {
        messages: [
          { role: "user", content: "a\r\nb" },
          { role: "assistant", content: "c", name: "bot" },
        ],
      },
    ).replace(/\n/g, "\r\n"),
  );

  it("round-trips: the exported file re-imports to the same content hash, and its sha256 is that hash", async () => {
    const first = importJsonl(chunked(source, 17));
    const examples = (await collect(first)).flatMap((l) => (l.example ? [l.example] : []));
    const { contentHash, recordsHash } = first.result();
    expect(examples).toHaveLength(3);

    const exported = (await toArray(exportJsonl(examples))).join("");
    expect(sha256(exported)).toBe(contentHash);
    const again = await importJsonl(chunked(bytes(exported), 5)).run();
    expect(again.contentHash).toBe(contentHash);
    expect(again.issues.errors + again.issues.warnings).toBe(0);
    // Without metadata the records hash changes (it covers metadata); with it, both hashes survive.
    expect(again.recordsHash).not.toBe(recordsHash);

    const withMetadata = (await toArray(exportJsonl(examples, { includeMetadata: true, chunkChars: 10 }))).join("");
    expect(sha256(withMetadata)).toBe(recordsHash);
    const third = await importJsonl([bytes(withMetadata)]).run();
    expect([third.contentHash, third.recordsHash]).toEqual([contentHash, recordsHash]);
  });

  it("exports completion-format examples as chat, and the chat file hashes the same", async () => {
    const completion = bytes(
      jsonl({ prompt: "2+2?", completion: "4" }, { prompt: "Hi", completion: "Hello", metadata: { k: 1 } }),
    );
    const upload = importJsonl([completion]);
    const examples = (await collect(upload)).flatMap((l) => (l.example ? [l.example] : []));
    expect(upload.result().format).toBe("completion");
    const exported = (await toArray(exportJsonl(examples))).join("");
    expect(exported).toBe(
      '{"messages":[{"content":"2+2?","role":"user"},{"content":"4","role":"assistant"}]}\n' +
        '{"messages":[{"content":"Hi","role":"user"},{"content":"Hello","role":"assistant"}]}\n',
    );
    const again = await importJsonl([bytes(exported)]).run();
    expect(again.format).toBe("chat");
    expect(again.contentHash).toBe(upload.result().contentHash);
  });

  it("streams the export as bytes for a Response", async () => {
    const examples = await examplesOf(source);
    const stream = exportJsonlStream(examples, { chunkChars: 8 });
    const chunks: Uint8Array[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text.split("\n")).toHaveLength(4);
    expect(sha256(text)).toBe((await importJsonl([source]).run()).contentHash);
  });
});
