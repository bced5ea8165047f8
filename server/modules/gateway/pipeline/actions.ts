/** Guardrail actions as the request log keeps them, and the `x-switchyard-guardrails` header that sums them up. */
import { DomainError } from "@/server/errors";
import type { GuardrailRecord } from "@/server/modules/request-log/types";

export type GuardAction = "block" | "mask" | "flag";
export type { GuardrailRecord };

export const GUARDRAILS_HEADER = "x-switchyard-guardrails";

/**
 * Adds an action to a request's list, merging it into an earlier entry with
 * the same stage, rule and action (counts and kinds add up, the highest score
 * and the union of matched heuristics stay), so a stream that masks forty
 * e-mails logs one entry with count 40, not forty entries.
 */
export function recordAction(list: GuardrailRecord[], action: GuardrailRecord): void {
  const same = list.find((a) => a.stage === action.stage && a.rule === action.rule && a.action === action.action);
  if (!same) {
    list.push({
      ...action,
      ...(action.kinds ? { kinds: { ...action.kinds } } : {}),
      ...(action.matched ? { matched: [...action.matched] } : {}),
    });
    return;
  }
  if (action.count !== undefined) same.count = (same.count ?? 0) + action.count;
  if (action.kinds) {
    same.kinds ??= {};
    for (const [kind, n] of Object.entries(action.kinds)) same.kinds[kind] = (same.kinds[kind] ?? 0) + n;
  }
  if (action.score !== undefined) same.score = Math.max(same.score ?? 0, action.score);
  if (action.matched) same.matched = [...new Set([...(same.matched ?? []), ...action.matched])];
}

/**
 * `input:pii=mask(2);input:injection=flag(0.72);output:blocklist=block(1)`: stage:rule=action, with the
 * count (or the injection score) in parentheses. ASCII only (rule names are restricted by the schema).
 */
export function guardrailsHeader(list: readonly GuardrailRecord[]): string {
  return list
    .map((a) => {
      const detail = a.score !== undefined ? a.score.toFixed(2) : a.count !== undefined ? String(a.count) : "";
      return `${a.stage}:${a.rule}=${a.action}${detail ? `(${detail})` : ""}`;
    })
    .join(";");
}

/** The 400 a blocking input guard answers: names the guard and rule, never the text it matched. */
export function guardrailBlocked(message: string): DomainError {
  return new DomainError("GUARDRAIL_BLOCKED", message);
}
