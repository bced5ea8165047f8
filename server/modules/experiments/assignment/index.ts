/**
 * Sticky, deterministic experiment assignment (GrowthBook-compatible
 * hashing). Pure functions, no I/O.
 */
export {
  type Assignment,
  type AssignmentConfig,
  assign,
  assignmentConfigSchema,
  type CompiledAssignment,
  compileAssignment,
  MAX_VARIANTS,
  MIN_VARIANTS,
  parseAssignmentConfig,
  type RandomSource,
  type VariantWeight,
  variantWeightSchema,
} from "./assign";
export { BUCKETS, FNV_OFFSET_BASIS, fnv1a32, fnv1a32OfDecimal, fnv1aUpdate, growthbookHash } from "./hash";
export { type BucketRange, bucketRanges, chooseVariation } from "./ranges";
