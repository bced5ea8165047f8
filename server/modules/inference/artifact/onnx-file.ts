import { stat } from "node:fs/promises";
import path from "node:path";
import { DomainError } from "@/server/errors";
import { onnx, type proto } from "../onnx-proto";
import { readOnnxSkeleton } from "./onnx-skeleton";

/** What a graph is for, from its inputs and outputs (never from its file name). */
export type GraphRole = "decoder" | "encoder" | "other";

export interface OnnxFileFacts {
  opset: number | null;
  producer: string | null;
  parameterCount: number;
  /** The file plus the external-data files its initializers point at. */
  sizeBytes: number;
  /** External-data files (relative to the model file's folder), each once. */
  externalData: string[];
  /** Those of them that are not there (`assertExternalData` turns this into the error). */
  missingExternalData: string[];
  /** Graph inputs (initializers left out) and outputs, by name. */
  inputs: string[];
  outputs: string[];
  role: GraphRole;
  /** Rows of the learned position-embedding table, when the graph has one: positions past it do not exist. */
  positionRows: number | null;
}

const ENCODER_OUTPUTS = ["last_hidden_state", "sentence_embedding", "token_embeddings"];

/** A decoder answers `logits` for `input_ids`; an encoder answers hidden states; the rest are parts (vision, embeddings). */
function graphRole(inputs: readonly string[], outputs: readonly string[]): GraphRole {
  if (outputs.includes("logits")) return inputs.includes("input_ids") ? "decoder" : "other";
  if (outputs.some((o) => ENCODER_OUTPUTS.includes(o))) return "encoder";
  return "other";
}

const POSITION_TABLE_NAME = /(^|[._/])(wpe|position_embeddings?|embed_positions|pos_embed(ding)?s?)([._/_]|$)/i;
/** Ops between a stored table and its Gather in converted exports (fp16 storage, int8 quantization). */
const PASS_THROUGH = new Set(["Cast", "DequantizeLinear", "Identity"]);

/**
 * The first dim of the position-embedding initializer: a Gather on a 2-D initializer whose indices come from
 * `position_ids` (traced back through the graph), else a 2-D initializer named like one (`wpe`, `position_embeddings`).
 */
function positionTableRows(graph: proto.IGraphProto): number | null {
  const tables = new Map<string, number>();
  for (const tensor of graph.initializer ?? [])
    if (tensor.name && tensor.dims?.length === 2) tables.set(tensor.name, Number(tensor.dims[0]));
  const producers = new Map<string, proto.INodeProto>();
  for (const node of graph.node ?? []) for (const output of node.output ?? []) producers.set(output, node);
  const fromPositionIds = (name: string): boolean => {
    const seen = new Set<string>();
    const queue = [name];
    while (queue.length > 0 && seen.size < 64) {
      const current = queue.shift()!;
      if (current === "position_ids") return true;
      if (seen.has(current)) continue;
      seen.add(current);
      queue.push(...(producers.get(current)?.input ?? []).filter((i) => i && !tables.has(i)));
    }
    return false;
  };
  const tableOf = (name: string, hops = 0): number | undefined => {
    if (tables.has(name)) return tables.get(name);
    const producer = producers.get(name);
    if (hops < 3 && producer && PASS_THROUGH.has(producer.opType ?? ""))
      return tableOf(producer.input?.[0] ?? "", hops + 1);
    return undefined;
  };
  for (const node of graph.node ?? []) {
    const [data, indices] = node.input ?? [];
    const rows = node.opType === "Gather" && data ? tableOf(data) : undefined;
    if (rows && indices && fromPositionIds(indices)) return rows;
  }
  for (const [name, rows] of tables) if (POSITION_TABLE_NAME.test(name)) return rows;
  return null;
}

const invalid = (fileName: string, reason: string) =>
  new DomainError("UNPROCESSABLE", `${fileName} is not a valid ONNX file: ${reason}`);

/**
 * Reads the protobuf itself (onnxruntime does not expose initializers), without the weights
 * (`readOnnxSkeleton`): opset, producer, inputs and outputs, the parameter count as the sum of initializer
 * sizes (subgraphs such as a merged decoder's `If` branches included), the external-data files (counted in
 * `sizeBytes`; missing ones listed) and the position table's rows.
 */
export async function readOnnxFacts(modelPath: string): Promise<OnnxFileFacts> {
  const fileName = path.basename(modelPath);
  let model: proto.ModelProto;
  let fileSize: number;
  try {
    ({ model, fileSize } = await readOnnxSkeleton(modelPath));
  } catch (error) {
    throw invalid(fileName, (error as Error).message);
  }
  if (!model.graph || (model.graph.node?.length ?? 0) === 0) throw invalid(fileName, "it has no graph");
  const external = new Set<string>();
  let parameterCount = 0;
  const visit = (graph: proto.IGraphProto) => {
    for (const tensor of graph.initializer ?? []) {
      parameterCount += (tensor.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
      const isExternal =
        tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
      const location = tensor.externalData?.find((entry) => entry.key === "location")?.value;
      if (isExternal && !location) throw invalid(fileName, `initializer '${tensor.name}' has no data location`);
      if (location) external.add(location);
    }
    for (const node of graph.node ?? []) {
      for (const attribute of node.attribute ?? []) {
        if (attribute.g) visit(attribute.g);
        for (const sub of attribute.graphs ?? []) visit(sub);
      }
    }
  };
  visit(model.graph);
  let sizeBytes = fileSize;
  const missingExternalData: string[] = [];
  const folder = path.dirname(modelPath);
  for (const location of external) {
    const file = path.resolve(folder, location);
    // onnxruntime refuses locations outside the model's folder too; say so before it does.
    if (path.relative(folder, file).startsWith("..") || path.isAbsolute(location))
      throw invalid(fileName, `external data '${location}' is outside the model's folder`);
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : null),
      () => null,
    );
    if (size === null) missingExternalData.push(location);
    else sizeBytes += size;
  }
  const initializers = new Set((model.graph.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph.input ?? []).map((i) => i.name ?? "").filter((n) => n && !initializers.has(n));
  const outputs = (model.graph.output ?? []).map((o) => o.name ?? "").filter(Boolean);
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === "ai.onnx")?.version;
  return {
    opset: opset === undefined || opset === null ? null : Number(opset),
    producer: model.producerName
      ? `${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ""}`
      : null,
    parameterCount,
    sizeBytes,
    externalData: [...external],
    missingExternalData,
    inputs,
    outputs,
    role: graphRole(inputs, outputs),
    positionRows: positionTableRows(model.graph),
  };
}

/** A file whose external data is missing cannot load: UNPROCESSABLE naming the first missing file. */
export function assertExternalData(file: string, facts: OnnxFileFacts): void {
  const [missing] = facts.missingExternalData;
  if (missing)
    throw new DomainError(
      "UNPROCESSABLE",
      `${path.basename(file)} refers to external data '${missing}', which is missing`,
    );
}
