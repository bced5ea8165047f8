import { DataType, onnx, type proto } from "../onnx-proto";

/**
 * Post-processing of an encoded model (`encodeModel`'s output), the way real exports are written: weights
 * moved to external-data files, or stored int8 with a DequantizeLinear in front. The graph itself is not
 * rebuilt, so every builder option keeps working.
 */

const ALIGN = 4096;

export interface ExternalDataOptions {
  /** Data file name next to the model, e.g. `model.onnx_data`; further files get `_1`, `_2`, ... */
  location: string;
  /** Spread the weights over this many files (round robin by tensor). Default 1. */
  files?: number;
  /** Tensors smaller than this stay inside the model. Default 1024 bytes. */
  minBytes?: number;
}

/**
 * Moves the main graph's big initializers to external data (TensorProto `data_location = EXTERNAL` with
 * `location`/`offset`/`length`, offsets 4 KiB aligned as onnx's own converter does). Returns the small model
 * and the data files by name.
 */
export function toExternalData(
  model: Uint8Array,
  options: ExternalDataOptions,
): { onnx: Uint8Array; data: Map<string, Uint8Array> } {
  const decoded = onnx.ModelProto.decode(model);
  const fileCount = Math.max(1, options.files ?? 1);
  const names = Array.from({ length: fileCount }, (_, i) => (i === 0 ? options.location : `${options.location}_${i}`));
  const chunks: Uint8Array[][] = names.map(() => []);
  const sizes = names.map(() => 0);
  let next = 0;
  for (const tensor of decoded.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (!raw || raw.byteLength < (options.minBytes ?? 1024)) continue;
    const file = next++ % fileCount;
    const offset = Math.ceil(sizes[file] / ALIGN) * ALIGN;
    if (offset > sizes[file]) chunks[file].push(new Uint8Array(offset - sizes[file]));
    chunks[file].push(raw);
    sizes[file] = offset + raw.byteLength;
    tensor.rawData = new Uint8Array(0);
    tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    tensor.externalData = [
      { key: "location", value: names[file] },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(raw.byteLength) },
    ];
  }
  const data = new Map<string, Uint8Array>();
  names.forEach((name, i) => {
    if (sizes[i] > 0) data.set(name, Buffer.concat(chunks[i]));
  });
  return { onnx: onnx.ModelProto.encode(decoded).finish(), data };
}

/**
 * Stores every 2-D float weight as int8 with one scale per output column (symmetric, zero point 0) and
 * inserts `DequantizeLinear` so the graph computes with the dequantized values: a real quantized file whose
 * weights take a quarter of the space. 1-D tensors (norms, biases) stay float32.
 */
export function quantizeWeights(model: Uint8Array): Uint8Array {
  const decoded = onnx.ModelProto.decode(model);
  const graph = decoded.graph!;
  const added: proto.ITensorProto[] = [];
  const dequantize: proto.INodeProto[] = [];
  const kept: proto.ITensorProto[] = [];
  for (const tensor of graph.initializer ?? []) {
    const dims = (tensor.dims ?? []).map(Number);
    if (tensor.dataType !== DataType.FLOAT || dims.length !== 2 || !tensor.rawData?.byteLength) {
      kept.push(tensor);
      continue;
    }
    const [rows, cols] = dims;
    const raw = tensor.rawData;
    const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const scales = new Float32Array(cols);
    for (let c = 0; c < cols; c++) {
      let max = 0;
      for (let r = 0; r < rows; r++) max = Math.max(max, Math.abs(values[r * cols + c]));
      scales[c] = max > 0 ? max / 127 : 1;
    }
    const quantized = new Int8Array(rows * cols);
    for (let i = 0; i < quantized.length; i++) quantized[i] = Math.round(values[i] / scales[i % cols]);
    const name = tensor.name!;
    added.push(
      { name: `${name}_quantized`, dims, dataType: DataType.INT8, rawData: new Uint8Array(quantized.buffer) },
      { name: `${name}_scale`, dims: [cols], dataType: DataType.FLOAT, rawData: new Uint8Array(scales.buffer) },
      {
        name: `${name}_zero_point`,
        dims: [cols],
        dataType: DataType.INT8,
        rawData: new Uint8Array(cols),
      },
    );
    dequantize.push({
      opType: "DequantizeLinear",
      name: `${name}_dequantize`,
      input: [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`],
      output: [name],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    });
  }
  graph.initializer = [...kept, ...added];
  graph.node = [...dequantize, ...(graph.node ?? [])];
  return onnx.ModelProto.encode(decoded).finish();
}
