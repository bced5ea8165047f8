import { type DatasetIssue, issue } from "./issues";

/** Bytes as they arrive: a web stream (fetch body, upload), a Node stream or any (async) iterable of chunks. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface ReadLinesOptions {
  /** Longest accepted line in bytes, terminator excluded (default 1 MiB). Longer lines are skipped unbuffered. */
  maxLineBytes?: number;
  /** `skip` (default): an empty or whitespace-only line is a warning and yields nothing; `error`: it is an error. */
  emptyLines?: "skip" | "error";
}

/** One line of the file. `text` is set when the line decoded and is not empty. */
export interface TextLine {
  /** 1-based; counts every `\n`-terminated line, empty ones included. */
  line: number;
  text?: string;
  /** Bytes of the line without its terminator (`\n` or `\r\n`) or BOM. */
  byteLength: number;
  errors: DatasetIssue[];
  warnings: DatasetIssue[];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines and decodes each as UTF-8, in bounded
 * memory: at most one chunk plus one line (capped at `maxLineBytes`) is held.
 * Yields the lines completed by each slice of at most 64 KiB as one batch
 * (empty batches are skipped).
 *
 * - A UTF-8 BOM at the start of the file is removed (warning `bom`). A BOM
 *   anywhere else is kept, so JSON parsing reports it.
 * - `\r\n` is accepted; the `\r` is removed and the first such line gets a
 *   `crlf` warning (one per file, not one per line).
 * - Invalid UTF-8 is an `invalid_utf8` error naming the byte offset in the line.
 * - A line over `maxLineBytes` is a `line_too_long` error; its bytes are
 *   dropped as they arrive, never accumulated.
 */
export async function* readJsonlLines(source: ByteSource, options: ReadLinesOptions = {}): AsyncGenerator<TextLine[]> {
  const splitter = new LineSplitter(options);
  for await (const chunk of iterateSlices(source)) {
    const batch = splitter.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

/** The push-style core of {@link readJsonlLines}, for callers that own the loop. */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly emptyIsError: boolean;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private lineNumber = 0;
  /** Pieces of the current, unfinished line. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The current line is over the limit: its bytes are being skipped and counted. */
  private skipping = false;
  private sawCrlf = false;
  private atFileStart = true;

  constructor(options: ReadLinesOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.emptyIsError = options.emptyLines === "error";
  }

  /** Lines completed by this chunk. */
  push(chunk: Uint8Array): TextLine[] {
    const out: TextLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.skipping || this.pendingBytes + (end - start) > this.maxLineBytes + 1) {
        // +1: a `\r` before the `\n` is not part of the line.
        this.skipping = true;
        this.pendingBytes += end - start;
        this.pending = [];
      } else if (end > start) {
        // A tail held across calls is copied: a source may reuse its chunk's memory.
        this.pending.push(newline === -1 ? chunk.slice(start, end) : chunk.subarray(start, end));
        this.pendingBytes += end - start;
      }
      if (newline === -1) break;
      out.push(this.finishLine());
      start = newline + 1;
    }
    return out;
  }

  /** The last line, when the file does not end with a newline. */
  end(): TextLine[] {
    if (this.pendingBytes === 0 && !this.skipping) return [];
    return [this.finishLine()];
  }

  private finishLine(): TextLine {
    const line = ++this.lineNumber;
    const errors: DatasetIssue[] = [];
    const warnings: DatasetIssue[] = [];
    const skipped = this.skipping;
    let bytes = skipped ? EMPTY : concat(this.pending, this.pendingBytes);
    let length = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;

    if (this.atFileStart) {
      this.atFileStart = false;
      if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
        length -= 3;
        warnings.push(issue(line, "bom", "UTF-8 byte order mark at the start of the file (removed)"));
      }
    }
    if (skipped ? false : bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
      length -= 1;
      if (!this.sawCrlf) {
        this.sawCrlf = true;
        warnings.push(issue(line, "crlf", "CRLF (\\r\\n) line endings; the \\r is removed (reported once per file)"));
      }
    }
    if (skipped || length > this.maxLineBytes) {
      errors.push(
        issue(line, "line_too_long", `line is ${length} bytes, over the limit of ${this.maxLineBytes} bytes (skipped)`),
      );
      return { line, byteLength: length, errors, warnings };
    }
    if (isBlank(bytes)) {
      const empty = issue(line, "empty_line", this.emptyIsError ? "empty line" : "empty line (skipped)");
      if (this.emptyIsError) errors.push(empty);
      else warnings.push(empty);
      return { line, byteLength: length, errors, warnings };
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      const at = firstInvalidUtf8(bytes);
      errors.push(issue(line, "invalid_utf8", `invalid UTF-8 at byte ${at + 1} of the line`));
      return { line, byteLength: length, errors, warnings };
    }
    return { line, text, byteLength: length, errors, warnings };
  }
}

const EMPTY = new Uint8Array(0);

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}

/** Offset of the first byte that breaks UTF-8 (WHATWG rules: no overlongs, no surrogates, max U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined) return i;
      if (next < (k === 1 ? lower : 0x80) || next > (k === 1 ? upper : 0xbf)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/**
 * Work is done in slices of at most this many bytes, however large the
 * source's chunks: a batch's strings and objects then die young (measured:
 * 1 MiB batches cost ~25 % more time, in garbage collection, and twice the RSS).
 */
const SLICE_BYTES = 64 * 1024;

/** Chunks from any supported source, in order, cut into slices of at most {@link SLICE_BYTES} (views, no copy). */
export async function* iterateSlices(source: ByteSource): AsyncGenerator<Uint8Array> {
  for await (const chunk of iterateBytes(source)) {
    if (chunk.length <= SLICE_BYTES) yield chunk;
    else for (let at = 0; at < chunk.length; at += SLICE_BYTES) yield chunk.subarray(at, at + SLICE_BYTES);
  }
}

/** Chunks from any supported source, in order. */
async function* iterateBytes(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (isReadableStream(source)) {
    const reader = source.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        if (value) yield value;
      }
    } finally {
      // A consumer that stops early (an abandoned upload) cancels the stream rather than leaving it open.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  } else {
    yield* source;
  }
}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function";
}
