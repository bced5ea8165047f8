import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DomainError } from "@/server/errors";
import { onnx, type proto } from "../onnx-proto";

export interface OnnxFileFacts {
  opset: number | null;
  producer: string | null;
  parameterCount: number;
  /** The file plus the external-data files its initializers point at. */
  sizeBytes: number;
}

/**
 * Reads the protobuf itself (onnxruntime does not expose initializers):
 * opset, producer, and the parameter count as the sum of initializer sizes,
 * subgraphs (a merged decoder's `If` branches) included.
 */
export async function readOnnxFacts(modelPath: string): Promise<OnnxFileFacts> {
  const fileName = path.basename(modelPath);
  const bytes = await readFile(modelPath);
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new DomainError("UNPROCESSABLE", `${fileName} is not a valid ONNX file: ${(error as Error).message}`);
  }
  if (!model.graph || (model.graph.node?.length ?? 0) === 0) {
    throw new DomainError("UNPROCESSABLE", `${fileName} is not a valid ONNX file: it has no graph`);
  }
  const external = new Set<string>();
  let parameterCount = 0;
  const visit = (graph: proto.IGraphProto) => {
    for (const tensor of graph.initializer ?? []) {
      parameterCount += (tensor.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
      for (const entry of tensor.externalData ?? [])
        if (entry.key === "location" && entry.value) external.add(entry.value);
    }
    for (const node of graph.node ?? []) {
      for (const attribute of node.attribute ?? []) {
        if (attribute.g) visit(attribute.g);
        for (const sub of attribute.graphs ?? []) visit(sub);
      }
    }
  };
  visit(model.graph);
  let sizeBytes = bytes.byteLength;
  for (const location of external) {
    const file = path.resolve(path.dirname(modelPath), location);
    sizeBytes += await stat(file).then(
      (s) => s.size,
      () => {
        throw new DomainError("UNPROCESSABLE", `${fileName} refers to external data '${location}', which is missing`);
      },
    );
  }
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === "ai.onnx")?.version;
  return {
    opset: opset === undefined || opset === null ? null : Number(opset),
    producer: model.producerName
      ? `${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ""}`
      : null,
    parameterCount,
    sizeBytes,
  };
}
