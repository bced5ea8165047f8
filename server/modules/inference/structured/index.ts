import type { StructuredOutputSpec, TokenConstraint } from "../constraint";
import type { ModelTokenizer } from "../tokenizer";

/**
 * The constraint for one sequence of one model, or null when the spec needs none. (Contract stub: the
 * structured-output work replaces this body.)
 */
export function createConstraint(
  _spec: StructuredOutputSpec,
  _tokenizer: ModelTokenizer,
  _eosTokenIds: number[],
): TokenConstraint | null {
  return null;
}
