/**
 * Splits a byte stream into lines without holding more than one line (and one chunk) in memory. Lines end at
 * `\n` (a `\r` before it is dropped); a final newline ends the last line rather than starting an empty one.
 */

/** A line longer than the limit: its bytes were skipped, not kept (one line must not fill the memory). */
export class OversizeLine {
  constructor(readonly bytes: number) {}
}

export type RawLine = Uint8Array | OversizeLine;

const NEWLINE = 0x0a;
const RETURN = 0x0d;

function trimReturn(line: Buffer): Buffer {
  return line.length && line[line.length - 1] === RETURN ? line.subarray(0, line.length - 1) : line;
}

export async function* splitLines(source: AsyncIterable<Uint8Array | string>, maxLineBytes: number) {
  let parts: Buffer[] = [];
  let held = 0;
  let oversize = 0; // bytes of the current line once it is past the limit (0: within it)
  const finish = (): RawLine => {
    const line: RawLine = oversize ? new OversizeLine(oversize) : trimReturn(Buffer.concat(parts, held));
    parts = [];
    held = 0;
    oversize = 0;
    return line;
  };
  const add = (piece: Buffer) => {
    if (oversize) oversize += piece.length;
    else if (held + piece.length > maxLineBytes + 1) {
      // +1: a `\r` before the newline does not count against the line.
      oversize = held + piece.length;
      parts = [];
      held = 0;
    } else {
      parts.push(piece);
      held += piece.length;
    }
  };
  let sawAny = false;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    if (bytes.length) sawAny = true;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end === -1) break;
      add(bytes.subarray(start, end));
      yield finish();
      start = end + 1;
    }
    if (start < bytes.length) add(Buffer.from(bytes.subarray(start)));
  }
  // The last line when the file does not end with a newline.
  if (sawAny && (held || oversize)) yield finish();
}
