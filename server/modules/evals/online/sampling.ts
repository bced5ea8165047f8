// Which live requests a rule scores: a pure, deterministic decision (the same request and rule always decide the
// same way on every replica and in tests), cheap enough for the request path.
import type { OnlineRuleFilter } from "@/lib/evals/online";
import type { RequestLogEntry } from "@/server/modules/request-log/types";

/** Paths whose answers are text an evaluator can read. */
export const SCORED_PATHS: ReadonlySet<string> = new Set([
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/messages",
  "/v1/responses",
]);

/**
 * FNV-1a (32 bit) of `ruleId:requestId`, as a fraction of 2^32: a request is sampled when it falls below the
 * rate. The rule's id is part of the key so two rules at 10 % do not score the same tenth of the traffic.
 */
export function sampleFraction(ruleId: string, requestId: string): number {
  let hash = 0x811c9dc5;
  const key = `${ruleId}:${requestId}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}

export function isSampled(ruleId: string, requestId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return sampleFraction(ruleId, requestId) < rate;
}

/** A rule as the observer holds it: the filter compiled to what the log entry carries. */
export interface ActiveRule {
  id: string;
  sampleRate: number;
  filter: OnlineRuleFilter;
  /** For `filter.promptId`: the prompt's version ids when the rules were read. */
  promptVersionIds: ReadonlySet<string> | null;
}

export function matchesRule(rule: ActiveRule, entry: RequestLogEntry): boolean {
  const { model, path } = rule.filter;
  if (path && entry.path !== path) return false;
  if (model) {
    const requested = entry.requestedModel;
    if (!requested) return false;
    if (requested !== model && baseName(requested) !== model) return false;
  }
  if (rule.promptVersionIds && !(entry.promptVersionId && rule.promptVersionIds.has(entry.promptVersionId)))
    return false;
  return true;
}

function baseName(ref: string): string {
  const at = ref.search(/[@:]/);
  // `prompt:NAME` and `experiment:NAME` are references, not model names with a version.
  if (ref.startsWith("prompt:") || ref.startsWith("experiment:")) return ref;
  return at < 0 ? ref : ref.slice(0, at);
}
