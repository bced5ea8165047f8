/**
 * The pure core of fine-tuning datasets: streaming JSONL import and
 * validation, canonical form and hashes, statistics, PII masking,
 * k-anonymity, dedupe / filter / split / merge, export. No database, no
 * HTTP; the rules are in README.md.
 */

export type { CountTokens } from "@/server/modules/guardrails/tokens";
export {
  DatasetHasher,
  exportJsonlStream,
} from "./canonical";

export { importJsonl } from "./import";
export {
  assertImportable,
  decideImport,
} from "./issues";
export { KAnonymityCounter } from "./kanon";
export type { ByteSource } from "./lines";
export { PiiMasker } from "./pii";

export {
  DatasetStats,
  estimateTraining,
} from "./stats";
export {
  Deduplicator,
  ExampleFilter,
  splitPoint,
} from "./transforms";
export type { DatasetExample } from "./types";
