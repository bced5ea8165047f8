/**
 * The "masked" body-logging setting: every string in a logged body has its
 * personal data and secrets (the guardrails module's detector, `findPii`)
 * replaced by placeholders `<KIND_n>`. One masker serves one request, so the
 * same e-mail is `<EMAIL_1>` in the request and in the response. Object keys
 * are not touched (they are field names, not user data). Text parts, tool
 * results and tool calls are strings like any other; a tool call's
 * `arguments` (JSON text) is masked value by value, so it stays valid JSON.
 */
import { jsonLeaves, replaceLeaves } from "@/server/modules/guardrails/json-leaves";
import { findPii } from "@/server/modules/guardrails/pii-detect";

export type BodyMasker = (value: unknown) => unknown;

export function createBodyMasker(): BodyMasker {
  const numbers = new Map<string, number>();
  const distinct = new Map<string, number>();
  const maskText = (text: string) => {
    const spans = findPii(text);
    if (spans.length === 0) return text;
    let out = "";
    let at = 0;
    for (const span of spans) {
      const id = `${span.kind}\u0000${span.key}`;
      let n = numbers.get(id);
      if (n === undefined) {
        n = (distinct.get(span.kind) ?? 0) + 1;
        distinct.set(span.kind, n);
        numbers.set(id, n);
      }
      out += `${text.slice(at, span.start)}<${span.kind}_${n}>`;
      at = span.end;
    }
    return out + text.slice(at);
  };
  const maskJson = (text: string) => {
    const leaves = jsonLeaves(text);
    return leaves
      ? replaceLeaves(
          text,
          leaves,
          leaves.map((leaf) => maskText(leaf.value)),
        )
      : maskText(text);
  };
  const mask = (value: unknown): unknown => {
    if (typeof value === "string") return maskText(value);
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          k === "arguments" && typeof v === "string" ? maskJson(v) : mask(v),
        ]),
      );
    return value;
  };
  return mask;
}
