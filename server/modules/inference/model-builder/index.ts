/** The deterministic test/demo model (tests, the seed, scripts/models, the benchmark). */

export type { LayerType } from "./gpt2-graph";
export { type LayoutOptions, writeModelLayout } from "./layouts";
export { DEMO_REPLY } from "./pattern";
export {
  BENCH_MODEL_OPTIONS,
  buildTestModel,
  type TestModelOptions,
  writeTestModel,
} from "./test-model";
