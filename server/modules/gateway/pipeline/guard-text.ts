/**
 * One pass of the text guards over one text, or over the values of a JSON text (tool-call arguments): what the
 * input guards do to each message and the output guards to a whole tool call.
 */
import { jsonLeaves, replaceLeaves } from "@/server/modules/guardrails/json-leaves";
import type { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import type { Finding, TextGuards } from "./text-guards";

export interface Guarded {
  text: string;
  /** The first blocking finding: the text is then returned as it came. */
  block: Finding | null;
}

/**
 * Masks replace (PII with the request's numbered placeholders) and every finding acted on goes to `seen`; a
 * block stops at once, and only the block is seen. Findings that begin before `from` are context only (a JSON
 * key before its value) and the text returned begins at `from`.
 */
export function guardText(
  guards: TextGuards,
  text: string,
  placeholders: PiiPlaceholders,
  seen: (f: Finding) => void,
  from = 0,
): Guarded {
  let findings = guards.scan(text);
  if (from > 0) findings = findings.filter((f) => f.start >= from);
  const block = findings.find((f) => f.guard.action === "block");
  if (block) {
    seen(block);
    return { text: from > 0 ? text.slice(from) : text, block };
  }
  if (findings.length === 0) return { text: from > 0 ? text.slice(from) : text, block: null };
  let out = "";
  let at = from;
  for (const f of findings) {
    seen(f);
    if (f.guard.action !== "mask") continue;
    out += text.slice(at, f.start) + (f.pii ? placeholders.for(f.pii) : f.guard.replacement);
    at = f.end;
  }
  return { text: out + text.slice(at), block: null };
}

/**
 * The guards on each string and number value of a JSON text, read after its key (`email: …`, so a detector
 * that needs the key, `password: …`, sees it); a masked value is written back as a JSON string, so the text
 * stays valid JSON and the rest of it stays as written. Text that is not JSON is guarded as it is.
 */
export function guardJson(
  guards: TextGuards,
  raw: string,
  placeholders: PiiPlaceholders,
  seen: (f: Finding) => void,
): Guarded {
  const leaves = jsonLeaves(raw);
  if (!leaves) return guardText(guards, raw, placeholders, seen);
  const values: string[] = new Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    const prefix = leaf.key === null ? "" : `${leaf.key}: `;
    const guarded = guardText(guards, prefix + leaf.value, placeholders, seen, prefix.length);
    if (guarded.block) return { text: raw, block: guarded.block };
    values[i] = guarded.text;
  }
  return { text: replaceLeaves(raw, leaves, values), block: null };
}
