import { createHash, type Hash } from "node:crypto";
import type { ChatMessage, DatasetExample, ExampleSource } from "./types";

/**
 * Canonical JSON (RFC 8785 / JCS): object keys sorted by UTF-16 code units,
 * no whitespace, strings and numbers written as `JSON.stringify` writes
 * them. Content is kept exactly (no Unicode or line-ending normalisation).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}

function messageJson(m: ChatMessage): string {
  // Keys in sorted order: content, function_call, name, role, weight.
  let out = `{"content":${JSON.stringify(m.content)}`;
  if (m.function_call !== undefined) out += `,"function_call":${canonicalJson(m.function_call)}`;
  if (m.name !== undefined) out += `,"name":${JSON.stringify(m.name)}`;
  out += `,"role":"${m.role}"`;
  if (m.weight !== undefined) out += `,"weight":${m.weight}`;
  return `${out}}`;
}

function messagesJson(messages: readonly ChatMessage[]): string {
  let out = `{"messages":[`;
  for (let i = 0; i < messages.length; i++) out += (i === 0 ? "" : ",") + messageJson(messages[i]);
  return `${out}]`;
}

/**
 * The training line: `{"messages":[...]}` in canonical JSON, without
 * metadata. This is exactly what the OpenAI export writes per line, and what
 * the example hash and the content hash are computed over.
 */
export function trainingLine(example: DatasetExample): string {
  return `${messagesJson(example.messages)}}`;
}

/** The full record: the training line plus `"metadata"` when the example has any (canonical JSON). */
export function recordLine(example: DatasetExample): string {
  const head = messagesJson(example.messages);
  return example.metadata === undefined ? `${head}}` : `${head},"metadata":${canonicalJson(example.metadata)}}`;
}

/** sha256 (lowercase hex) of an example's training line: its identity for dedupe and splits. */
export function exampleHash(example: DatasetExample): string {
  return sha256Hex(trainingLine(example));
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface DatasetHashes {
  /** sha256 over the training lines, each followed by `\n`, in order = sha256 of the OpenAI export file. */
  contentHash: string;
  /** sha256 over the record lines (with metadata), each followed by `\n` = sha256 of the export with metadata. */
  recordsHash: string;
  examples: number;
}

/**
 * Computes both dataset hashes incrementally, one example at a time. Each
 * line is encoded to UTF-8 once and fed to the example hash and the dataset
 * hashes; until an example with metadata shows up the records hash is the
 * content hash, so the second hash only runs from there on. The empty
 * dataset hashes to sha256("") = e3b0c442…b855.
 */
export class DatasetHasher {
  private readonly content: Hash = createHash("sha256");
  /** Forked from `content` at the first example with metadata. */
  private records: Hash | undefined;
  private count = 0;

  /** Adds one example; returns its training line and example hash so callers need not recompute them. */
  add(example: DatasetExample): { line: string; hash: string } {
    const line = trainingLine(example);
    const bytes = Buffer.from(line);
    const hash = createHash("sha256").update(bytes).digest("hex");
    this.count++;
    if (example.metadata !== undefined) this.records ??= this.content.copy();
    this.content.update(bytes).update(NEWLINE);
    if (this.records) {
      if (example.metadata === undefined) this.records.update(bytes).update(NEWLINE);
      else this.records.update(`${line.slice(0, -1)},"metadata":${canonicalJson(example.metadata)}}\n`);
    }
    return { line, hash };
  }

  digest(): DatasetHashes {
    const contentHash = this.content.copy().digest("hex");
    return {
      contentHash,
      recordsHash: this.records ? this.records.copy().digest("hex") : contentHash,
      examples: this.count,
    };
  }
}

const NEWLINE = Buffer.from("\n");

export interface ExportOptions {
  /** Write `"metadata"` too (the record line). Default false: the OpenAI upload has training content only. */
  includeMetadata?: boolean;
  /** Characters per yielded chunk (default 64 Ki): fewer, larger writes. */
  chunkChars?: number;
}

/**
 * Writes examples as OpenAI chat fine-tuning JSONL, one canonical line per
 * example, each ending in `\n`, yielded in chunks of about `chunkChars`.
 * Re-importing the output gives the same content hash (and, with
 * `includeMetadata`, the same records hash); sha256 of the bytes written
 * equals the content hash (records hash with metadata).
 */
export async function* exportJsonl(
  examples: ExampleSource<DatasetExample>,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const limit = options.chunkChars ?? 64 * 1024;
  const line = options.includeMetadata ? recordLine : trainingLine;
  let buffer = "";
  for await (const example of examples) {
    buffer += `${line(example)}\n`;
    if (buffer.length >= limit) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer.length > 0) yield buffer;
}

/** The export as a web byte stream, e.g. for `new Response(stream)` in a route handler. */
export function exportJsonlStream(
  examples: ExampleSource<DatasetExample>,
  options: ExportOptions = {},
): ReadableStream<Uint8Array> {
  const chunks = exportJsonl(examples, options);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
