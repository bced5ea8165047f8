/** The deterministic test/demo model (tests, the seed, scripts/models, the benchmark). */

export type { GraphVariant } from "./gpt2-graph";
export { DEMO_REPLY } from "./pattern";
export {
  BENCH_MODEL_OPTIONS,
  buildTestModel,
  TEST_MODEL_DEFAULTS,
  type TestModelFiles,
  type TestModelOptions,
  writeTestModel,
} from "./test-model";
