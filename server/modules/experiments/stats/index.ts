/**
 * Experiment statistics: pure functions over per-variant aggregates (no I/O).
 * See README.md for the methods and their references.
 */
export { analyzeExperiment } from "./analyze";
export { twoProportionZTest, welchTTest, withAdjustedPValue } from "./comparisons";
export { holmAdjust } from "./multiple";
export {
  chiSquaredCdf,
  chiSquaredSurvival,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSurvival,
  studentTCdf,
  studentTPdf,
  studentTQuantile,
  studentTSurvival,
} from "./numerics/distributions";
export { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "./numerics/special";
export * from "./schemas";
export {
  DEFAULT_HORIZON,
  INITIAL_SEQUENTIAL_STATE,
  type Look,
  type MsprtOptions,
  meanLook,
  mixingRho2,
  msprtUpdate,
  rateLook,
  type SequentialStep,
  sequentialMeans,
  sequentialRates,
} from "./sequential";
export { SRM_THRESHOLD, sampleRatioMismatch } from "./srm";
export { DEFAULT_ALPHA, meanSummary, momentsFromAggregates, rateSummary, wilsonInterval } from "./summaries";
