import type { PiiKind, PiiSpan } from "./pii-detect";

/**
 * Consistent placeholders across texts: `<KIND_n>`, n counting distinct
 * values (by span key) per kind in order of first appearance. One instance
 * per example (datasets) or per request (the gateway's guardrails, where the
 * same e-mail in the prompt and the answer gets the same placeholder).
 */
export class PiiPlaceholders {
  private readonly numbers = new Map<string, number>();
  private readonly distinct: Partial<Record<PiiKind, number>> = {};

  /** The placeholder for a finding, numbering it on first sight. */
  for(span: Pick<PiiSpan, "kind" | "key">): string {
    const id = `${span.kind}\u0000${span.key}`;
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = (this.distinct[span.kind] ?? 0) + 1;
      this.distinct[span.kind] = n;
      this.numbers.set(id, n);
    }
    return `<${span.kind}_${n}>`;
  }

  /** The text with each span (sorted, non-overlapping, as findPii returns them) replaced by its placeholder. */
  replace(text: string, spans: readonly PiiSpan[]): string {
    let out = "";
    let at = 0;
    for (const span of spans) {
      out += `${text.slice(at, span.start)}${this.for(span)}`;
      at = span.end;
    }
    return out + text.slice(at);
  }
}
