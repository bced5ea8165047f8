/**
 * Experiment statistics: pure functions over per-variant aggregates (no I/O).
 * See README.md for the methods and their references.
 */
export { analyzeExperiment } from "./analyze";

export * from "./schemas";
