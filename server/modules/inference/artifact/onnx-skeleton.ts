import { open } from "node:fs/promises";
import { onnx, type proto } from "../onnx-proto";

/**
 * Reads an ONNX file's structure without its weights. A model is one protobuf
 * message whose weights sit in TensorProto data fields; decoding it whole
 * needs the file in memory (a 2 GB model is 2 GB of heap). This walks the
 * wire format through a file handle, descends only into the messages that can
 * hold tensors, and copies everything except tensor data into a small buffer
 * that `onnx.ModelProto.decode` then reads. Only the tensors' bytes are
 * skipped: names, dims, types and external-data entries stay.
 */

// Field numbers from onnx.proto3. Each message type lists the fields to descend into (and as which type).
type Kind = "model" | "graph" | "node" | "attribute" | "tensor" | "sparse" | "function";
const CHILDREN: Record<Kind, Record<number, Kind>> = {
  model: { 7: "graph", 25: "function" },
  graph: { 1: "node", 5: "tensor", 15: "sparse" },
  node: { 5: "attribute" },
  attribute: { 5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse" },
  tensor: {},
  sparse: { 1: "tensor", 2: "tensor" },
  function: { 3: "node" },
};
/** TensorProto's data: float_data, int32_data, string_data, int64_data, raw_data, double_data, uint64_data. */
const TENSOR_DATA = new Set([4, 5, 6, 7, 9, 10, 11]);

const WINDOW = 1 << 20;

/** Buffered positional reads: the structure is read in 1 MiB windows, skipped data is never read. */
class FileCursor {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  constructor(
    private readonly handle: Awaited<ReturnType<typeof open>>,
    readonly size: number,
  ) {}

  async bytes(position: number, length: number): Promise<Buffer> {
    const end = position + length;
    if (position < this.windowStart || end > this.windowStart + this.window.length) {
      const want = Math.max(length, WINDOW);
      const buffer = Buffer.alloc(Math.min(want, this.size - position));
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
      if (bytesRead < length) throw new Error(`unexpected end of file at byte ${position}`);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, end - this.windowStart);
  }

  /** A varint at `position`: its value and its length in bytes. */
  async varint(position: number): Promise<{ value: number; length: number }> {
    const head = await this.bytes(position, Math.min(10, this.size - position));
    let value = 0;
    let scale = 1;
    for (let i = 0; i < head.length; i++) {
      value += (head[i] & 0x7f) * scale;
      if (head[i] < 0x80) return { value, length: i + 1 };
      scale *= 128;
    }
    throw new Error(`bad varint at byte ${position}`);
  }
}

function encodeVarint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** The message in [start, end) of `kind`, tensor data left out, re-encoded. */
async function strip(cursor: FileCursor, start: number, end: number, kind: Kind): Promise<Buffer> {
  const parts: Buffer[] = [];
  let position = start;
  while (position < end) {
    const tag = await cursor.varint(position);
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value & 7;
    const fieldStart = position;
    position += tag.length;
    if (wireType === 2) {
      const length = await cursor.varint(position);
      const bodyStart = position + length.length;
      const bodyEnd = bodyStart + length.value;
      if (bodyEnd > end) throw new Error(`field ${field} runs past its message`);
      position = bodyEnd;
      if (kind === "tensor" && TENSOR_DATA.has(field)) continue;
      const child = CHILDREN[kind][field];
      if (child) {
        const body = await strip(cursor, bodyStart, bodyEnd, child);
        parts.push(encodeVarint(tag.value), encodeVarint(body.length), body);
      } else {
        parts.push(Buffer.from(await cursor.bytes(fieldStart, bodyEnd - fieldStart)));
      }
      continue;
    }
    if (wireType === 0) position += (await cursor.varint(position)).length;
    else if (wireType === 1) position += 8;
    else if (wireType === 5) position += 4;
    else throw new Error(`unsupported wire type ${wireType} at byte ${fieldStart}`);
    if (kind === "tensor" && TENSOR_DATA.has(field)) continue;
    parts.push(Buffer.from(await cursor.bytes(fieldStart, position - fieldStart)));
  }
  return Buffer.concat(parts);
}

/** The model without tensor data (initializers keep name, dims, type and external-data entries). */
export async function readOnnxSkeleton(file: string): Promise<{ model: proto.ModelProto; fileSize: number }> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const stripped = await strip(new FileCursor(handle, size), 0, size, "model");
    return { model: onnx.ModelProto.decode(stripped), fileSize: size };
  } finally {
    await handle.close();
  }
}
