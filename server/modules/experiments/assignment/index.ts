/**
 * Sticky, deterministic experiment assignment (GrowthBook-compatible
 * hashing). Pure functions, no I/O.
 */
export {
  type AssignmentConfig,
  assign,
  compileAssignment,
} from "./assign";
export { growthbookHash } from "./hash";
export { bucketRanges, chooseVariation } from "./ranges";
