/**
 * Writes the deterministic test encoder (embeddings) or cross-encoder (rerank) as a model folder: model.onnx,
 * tokenizer.json, tokenizer_config.json, config.json, and for the encoder modules.json, 1_Pooling/config.json and
 * sentence_bert_config.json. Upload or import it, then register it as onnx-local with task `embedding`
 * (or `classification` for --reranker).
 *
 *   npx tsx scripts/models/build-encoder-model.ts --out .switchyard/encoder --pooling cls
 *   npx tsx scripts/models/build-encoder-model.ts --out .switchyard/reranker --reranker
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { writeEncoderModel } from "@/server/modules/inference/model-builder/encoder-model";

const usage = `usage: build-encoder-model --out DIR [--reranker] [--pooling mean|cls|lasttoken|max|none] [--no-normalize]
  [--ids int64|int32] [--context N] [--layers N] [--hidden N] [--heads N] [--seed N]`;

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    reranker: { type: "boolean" },
    pooling: { type: "string" },
    "no-normalize": { type: "boolean" },
    ids: { type: "string" },
    context: { type: "string" },
    layers: { type: "string" },
    hidden: { type: "string" },
    heads: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

const POOLINGS = ["mean", "cls", "lasttoken", "max", "none"] as const;
if (values.help || !values.out) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
if (values.pooling && !(POOLINGS as readonly string[]).includes(values.pooling)) {
  console.error(`--pooling must be one of ${POOLINGS.join(", ")}\n\n${usage}`);
  process.exit(2);
}
if (values.ids && values.ids !== "int64" && values.ids !== "int32") {
  console.error(`--ids must be int64 or int32\n\n${usage}`);
  process.exit(2);
}
const int = (value: string | undefined) => (value === undefined ? undefined : Number.parseInt(value, 10));
const pooling = values.pooling as (typeof POOLINGS)[number] | undefined;
const dir = path.resolve(values.out);
const built = await writeEncoderModel(dir, {
  classifier: values.reranker ?? false,
  pooling: pooling === "none" ? null : pooling,
  normalize: !values["no-normalize"],
  idsType: values.ids as "int64" | "int32" | undefined,
  contextLength: int(values.context),
  layers: int(values.layers),
  hiddenSize: int(values.hidden),
  heads: int(values.heads),
  seed: int(values.seed),
});
const d = built.dimensions;
console.log(
  `wrote ${values.reranker ? "cross-encoder reranker" : "encoder"} to ${dir}: ${d.layers} layers, hidden ${d.hidden}, ${d.heads} heads, vocabulary ${d.vocab}, max length ${d.positions}`,
);
