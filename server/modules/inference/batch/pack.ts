import { Tensor } from "onnxruntime-node";
import type { StateTensorSpec } from "../types";
import type { StateAxes } from "./axes";

/** float32 caches come back as Float32Array, float16 ones as raw bits (Uint16Array); both copy the same way. */
type StateData = Float32Array | Uint16Array;

/** One row of a state tensor and how many of its positions are real (right-aligned: padding is on the left). */
export interface RowSource {
  tensor: Tensor;
  row: number;
  length: number;
}

const product = (dims: readonly number[]) => dims.reduce((n, d) => n * d, 1);

/**
 * Builds a state tensor of `sources.length` rows whose sequence axis is `length` long: row i holds the last
 * `sources[i].length` positions of its source row, right-aligned, zeros before them (masked by the attention
 * mask). A state without a sequence axis (conv) copies whole rows. Used only when batch membership changes;
 * between changes the batch runs on the tensors the model returned.
 */
export function packRows(spec: StateTensorSpec, axes: StateAxes, sources: RowSource[], length: number): Tensor {
  const first = sources[0].tensor.dims as number[];
  const dims = [...first];
  dims[axes.batch] = sources.length;
  if (axes.sequence !== null) dims[axes.sequence] = length;
  const out = allocate(sources[0].tensor.data as StateData, product(dims));
  // View every tensor as [outer, batch, mid, positions, inner]; a fixed-size state is one "position" of it all.
  const outer = product(first.slice(0, axes.batch));
  const mid = axes.sequence === null ? 1 : product(first.slice(axes.batch + 1, axes.sequence));
  const inner = axes.sequence === null ? product(first.slice(axes.batch + 1)) : product(first.slice(axes.sequence + 1));
  const outPositions = axes.sequence === null ? 1 : length;
  sources.forEach((source, i) => {
    const srcDims = source.tensor.dims as number[];
    const srcRows = srcDims[axes.batch];
    const srcPositions = axes.sequence === null ? 1 : srcDims[axes.sequence];
    const keep = axes.sequence === null ? 1 : source.length;
    if (keep > srcPositions || keep > outPositions || source.row >= srcRows) {
      throw new Error(`cannot pack row ${source.row} (${keep} positions) of '${spec.input}' [${srcDims.join(", ")}]`);
    }
    const data = source.tensor.data as StateData;
    for (let o = 0; o < outer; o++) {
      for (let m = 0; m < mid; m++) {
        const from = (((o * srcRows + source.row) * mid + m) * srcPositions + srcPositions - keep) * inner;
        const to = (((o * sources.length + i) * mid + m) * outPositions + outPositions - keep) * inner;
        out.set(data.subarray(from, from + keep * inner), to);
      }
    }
  });
  return new Tensor(spec.type, out, dims);
}

function allocate(like: StateData, size: number): StateData {
  if (like instanceof Float32Array) return new Float32Array(size);
  if (like instanceof Uint16Array) return new Uint16Array(size);
  throw new Error(`unexpected state data ${(like as object).constructor.name}`);
}
