/**
 * The pure core of fine-tuning datasets: streaming JSONL import and
 * validation, canonical form and hashes, statistics, PII masking,
 * k-anonymity, dedupe / filter / split / merge, export. No database, no
 * HTTP; the rules are in README.md.
 */

export {
  type CountTokens,
  countAssistantTokens,
  countExampleTokens,
  measureExample,
  roughTokenCount,
} from "@/server/modules/guardrails/tokens";
export {
  canonicalJson,
  DatasetHasher,
  type DatasetHashes,
  type ExportOptions,
  exampleHash,
  exportJsonl,
  exportJsonlStream,
  recordLine,
  sha256Hex,
  trainingLine,
} from "./canonical";
export { DEFAULT_MAX_TOKENS_PER_EXAMPLE, shapeOf, validateRecord } from "./formats";
export { HashPrefixSet } from "./hashset";
export { type Distribution, IntHistogram } from "./histogram";
export { DatasetImport, type ImportedLine, type ImportOptions, type ImportResult, importJsonl } from "./import";
export {
  assertImportable,
  type DatasetIssue,
  decideImport,
  type ImportDecision,
  type ImportPolicy,
  ISSUE_CODES,
  type IssueCode,
  IssueCollector,
  type IssueSeverity,
  type IssueSummary,
} from "./issues";
export { KAnonymityCounter, type KAnonymityGroup, kAnonymity } from "./kanon";
export {
  type ByteSource,
  DEFAULT_MAX_LINE_BYTES,
  LineSplitter,
  type ReadLinesOptions,
  readJsonlLines,
  type TextLine,
} from "./lines";
export {
  type MaskedExample,
  type MaskingReport,
  type MaskOptions,
  maskExample,
  maskExamples,
  PiiMasker,
} from "./pii";
export {
  contentPatternSchema,
  filterCriteriaSchema,
  importPolicySchema,
  kAnonymityOptionsSchema,
  maskOptionsSchema,
  splitOptionsSchema,
  validateOptionsSchema,
} from "./schemas";
export {
  DatasetStats,
  type DatasetStatsSnapshot,
  defaultEpochs,
  EPOCH_HEURISTIC,
  type EstimateOptions,
  estimateTraining,
  type StatsOptions,
  type TrainingEstimate,
} from "./stats";
export {
  assignSplit,
  type ContentPattern,
  Deduplicator,
  dedupeExamples,
  ExampleFilter,
  type FilterCriteria,
  type FilterReason,
  filterExamples,
  type HashedExample,
  MAX_PATTERN_LENGTH,
  mergeExamples,
  type SplitName,
  type SplitOptions,
  splitExamples,
  splitPoint,
} from "./transforms";
export {
  CHAT_ROLES,
  type ChatMessage,
  type ChatRole,
  type DatasetExample,
  type DatasetFormat,
  type ExampleSource,
  MESSAGE_KEYS,
  PII_KINDS,
  type PiiKind,
} from "./types";
export { JsonlValidator, type ValidatedLine, type ValidateOptions, validateJsonl } from "./validate";
