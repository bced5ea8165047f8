/**
 * Writes the deterministic demo/test model as a model folder (model.onnx or
 * decoder_model_merged.onnx, tokenizer.json, tokenizer_config.json,
 * config.json, generation_config.json).
 *
 *   npx tsx scripts/models/build-demo-model.ts --out .switchyard/demo-model
 *   npx tsx scripts/models/build-demo-model.ts --out /tmp/m --ids int32 --cache float16 --layout combined \
 *     --no-position-ids --merged --conv --bench
 *   npx tsx scripts/models/build-demo-model.ts --out /tmp/lfm2 --layer-types conv,attention,conv,attention --kv-heads 2
 *   npx tsx scripts/models/build-demo-model.ts --out /tmp/real --onnx-folder --external-data --genai-config \
 *     --tokenizer-max 2048 --tools-template
 */
import path from "node:path";
import { parseArgs } from "node:util";
import {
  BENCH_MODEL_OPTIONS,
  DEMO_REPLY,
  type LayerType,
  type TestModelOptions,
  writeModelLayout,
  writeTestModel,
} from "@/server/modules/inference/model-builder";
import { writeHermesTemplate } from "@/server/modules/inference/structured/hermes-template";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    ids: { type: "string" },
    cache: { type: "string" },
    layout: { type: "string" },
    "no-position-ids": { type: "boolean" },
    "no-cache": { type: "boolean" },
    merged: { type: "boolean" },
    conv: { type: "boolean" },
    "layer-types": { type: "string" },
    "kv-heads": { type: "string" },
    "cache-position": { type: "boolean" },
    "token-type-ids": { type: "boolean" },
    "logits-to-keep": { type: "string" },
    bench: { type: "boolean" },
    "onnx-folder": { type: "boolean" },
    "external-data": { type: "boolean" },
    "genai-config": { type: "boolean" },
    "tokenizer-max": { type: "string" },
    "tools-template": { type: "boolean" },
    context: { type: "string" },
    layers: { type: "string" },
    hidden: { type: "string" },
    heads: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

const usage = `usage: build-demo-model --out DIR [options]
  --ids int64|int32        token id dtype (default int64)
  --cache float32|float16  KV cache / conv state dtype (default float32)
  --layout per-layer|combined   past_key_values.N.key/value or past_N (default per-layer)
  --no-position-ids        no position_ids input
  --no-cache               no past inputs at all (full recompute)
  --merged                 decoder_model_merged.onnx with a use_cache_branch input
  --conv                   hybrid: past_conv.N / present_conv.N state on every layer, besides attention
  --layer-types T,T,...    one per layer: attention | conv (LFM2: past_conv.N) | mamba (past_conv.N + past_ssm.N)
  --kv-heads N             grouped-query attention: N key/value heads (default: --heads)
  --cache-position         a cache_position input (int64 [sequence]), as transformers exports have
  --token-type-ids         a token_type_ids input (fed zeros)
  --logits-to-keep NAME    logits_to_keep|num_logits_to_keep: an int64 scalar input, the last N positions' logits
  --onnx-folder            a transformers.js-style onnx/ folder: model.onnx, model_fp16.onnx, model_quantized.onnx
  --external-data          weights in external-data files (model.onnx_data)
  --genai-config           an onnxruntime-genai genai_config.json
  --tokenizer-max N        tokenizer_config's model_max_length (real folders often claim more than the model has)
  --tools-template         a Hermes/Qwen-style chat template that takes tools (<tool_call> blocks)
  --bench                  the benchmark size (${BENCH_MODEL_OPTIONS.layers} layers, hidden ${BENCH_MODEL_OPTIONS.hiddenSize})
  --context N              position table rows (default 512)
  --layers N --hidden N --heads N --seed N`;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    console.error(`--${name} must be one of ${allowed.join(", ")}\n\n${usage}`);
    process.exit(2);
  }
  return value as T;
}

const int = (value: string | undefined) => (value === undefined ? undefined : Number.parseInt(value, 10));

if (values.help || !values.out) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const options: TestModelOptions = {
  ...(values.bench ? BENCH_MODEL_OPTIONS : {}),
  idsType: oneOf("ids", values.ids, ["int64", "int32"] as const),
  cacheType: oneOf("cache", values.cache, ["float32", "float16"] as const),
  cacheLayout: oneOf("layout", values.layout, ["per-layer", "combined"] as const),
  positionIds: values["no-position-ids"] ? false : undefined,
  kvCache: values["no-cache"] ? false : undefined,
  useCacheBranch: values.merged || undefined,
  convState: values.conv || undefined,
  layerTypes: values["layer-types"]
    ?.split(",")
    .map((type) => oneOf("layer-types", type, ["attention", "conv", "mamba"] as const) as LayerType),
  kvHeads: int(values["kv-heads"]),
  cachePosition: values["cache-position"] || undefined,
  tokenTypeIds: values["token-type-ids"] || undefined,
  logitsToKeep: oneOf("logits-to-keep", values["logits-to-keep"], ["logits_to_keep", "num_logits_to_keep"] as const),
  ...(values.context ? { contextLength: int(values.context) } : {}),
  ...(values.layers ? { layers: int(values.layers) } : {}),
  ...(values.hidden ? { hiddenSize: int(values.hidden) } : {}),
  ...(values.heads ? { heads: int(values.heads) } : {}),
  seed: int(values.seed),
};

const started = performance.now();
const dir = path.resolve(values.out);
const layout = values["onnx-folder"] || values["external-data"] || values["genai-config"] || values["tokenizer-max"];
if (layout) {
  const written = await writeModelLayout(dir, {
    ...options,
    folder: values["onnx-folder"] ? "onnx" : "top",
    variants: values["onnx-folder"] ? ["fp32", "fp16", "quantized"] : ["fp32"],
    externalData: values["external-data"] || undefined,
    genaiConfig: values["genai-config"] || undefined,
    tokenizerMaxLength: int(values["tokenizer-max"]),
  });
  if (values["tools-template"]) await writeHermesTemplate(dir);
  console.log(`wrote ${written.written.join(", ")} in ${Math.round(performance.now() - started)} ms`);
} else {
  const files = await writeTestModel(dir, options);
  if (values["tools-template"]) await writeHermesTemplate(dir);
  const ms = Math.round(performance.now() - started);
  console.log(
    `wrote ${path.join(dir, files.modelFileName)} (${(files.onnx.byteLength / 1024 / 1024).toFixed(1)} MiB) in ${ms} ms`,
  );
  console.log(`variant: ${JSON.stringify(files.variant)}`);
}
console.log(`greedy chat reply: ${JSON.stringify(DEMO_REPLY)}; raw "abc" continues "defg..."`);
