/**
 * The in-process ONNX inference engine: inspect a model folder, load it on
 * the best device, stream completions. See README.md for the rules.
 */
export { inspectArtifact } from "./artifact/inspect";
export { describeTensor, discoverVariant } from "./artifact/variant";
export { DEVICE_ENV, devicePreferenceFromEnv } from "./devices";
export {
  getInferenceEngine,
  type InferenceDevicesReport,
  InferenceEngine,
  type InferenceEngineOptions,
  type LoadedModelReport,
  type ModelRef,
} from "./engine";
export type { GenerateRequest } from "./generate";
export {
  chatMessageSchema,
  GENERATION_DEFAULTS,
  type GenerationInput,
  type GenerationParams,
  generationInputSchema,
  generationParamsSchema,
} from "./schemas";
export type * from "./types";
