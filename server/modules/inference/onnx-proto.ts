import * as onnxProtoModule from "onnx-proto";

/**
 * The `onnx` protobuf namespace. `onnx-proto` is CommonJS (`module.exports =
 * { onnx }`), which Node's ESM loader exposes only as `default`, while
 * bundlers expose the named export: accept both.
 */
export type Onnx = typeof onnxProtoModule.onnx;
export const onnx: Onnx =
  onnxProtoModule.onnx ?? (onnxProtoModule as unknown as { default: { onnx: Onnx } }).default.onnx;

export const DataType = onnx.TensorProto.DataType;

/** The protobuf message types (`proto.IGraphProto`, ...). */
export type { onnx as proto } from "onnx-proto";
