/** Helpers for this folder's tests (no test framework imports, so not a test file itself). */
import type { ChatMessage, DatasetExample } from "./types";

const encoder = new TextEncoder();

/** Bytes of a text, or of several parts (strings or raw bytes) joined. */
export function bytes(...parts: (string | Uint8Array | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The bytes as a stream of chunks of `size` bytes (1 = one byte at a time). */
export function chunked(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.slice(at, at + size));
  return out;
}

/** A web ReadableStream over the chunks. */
export function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

export async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

export async function toArray<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function chat(...pairs: [ChatMessage["role"], string][]): DatasetExample {
  return { messages: pairs.map(([role, content]) => ({ role, content })) };
}

export function jsonl(...lines: unknown[]): string {
  return lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
}
