import { DataType, onnx, type proto } from "../onnx-proto";

export type Dim = number | string;
export type ElemType = "float32" | "float16" | "int64" | "int32" | "bool";

const ELEM_TYPE: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
  bool: DataType.BOOL,
};

type AttributeValue = number | number[] | proto.IGraphProto | { float: number };

export function valueInfo(name: string, type: ElemType, dims?: Dim[]): proto.IValueInfoProto {
  const shape = dims
    ? { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) }
    : undefined;
  return { name, type: { tensorType: { elemType: ELEM_TYPE[type], shape } } };
}

function attribute(name: string, value: AttributeValue): proto.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") return { name, type: type.INT, i: value };
  if (Array.isArray(value)) return { name, type: type.INTS, ints: value };
  if ("float" in value && typeof value.float === "number") return { name, type: type.FLOAT, f: value.float };
  return { name, type: type.GRAPH, g: value as proto.IGraphProto };
}

/**
 * Writes an ONNX graph node by node. Every intermediate gets a fresh name;
 * `node` returns the output names so graphs read like the math they compute.
 */
export class GraphBuilder {
  readonly nodes: proto.INodeProto[] = [];
  readonly initializers: proto.ITensorProto[] = [];
  readonly inputs: proto.IValueInfoProto[] = [];
  readonly outputs: proto.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly prefix = "") {}

  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims?: Dim[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  ints(dims: number[], values: number[]): string {
    const name = this.fresh("const");
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims, dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  scalarInt(value: number): string {
    return this.ints([], [value]);
  }

  scalarFloat(value: number): string {
    return this.floats(this.fresh("scalar"), [], Float32Array.of(value));
  }

  /** Adds a node; `outputs` is a count (fresh names) or the exact names to use. */
  node(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs: number | string[] = 1) {
    const names = typeof outputs === "number" ? Array.from({ length: outputs }, () => this.fresh(op)) : outputs;
    this.nodes.push({
      opType: op,
      name: this.fresh(`${op}_node`),
      input: inputs,
      output: names,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return names;
  }

  /** One-output shorthand for `node`. */
  op(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    return this.node(op, inputs, attributes, output ? [output] : 1)[0];
  }

  graph(name: string): proto.IGraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

export function encodeModel(graph: proto.IGraphProto, opset: number, producer: string): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: producer,
    producerVersion: "1",
    opsetImport: [{ domain: "", version: opset }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
