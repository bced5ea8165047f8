/**
 * The guards that look for something in a text — blocklist, regexes, PII —
 * compiled once per route config into one `TextGuards` that finds what they
 * match, decides what wins where matches overlap, and says how much of a
 * text's end could still be the start of a match (for streams).
 */

import { RE2JS } from "re2js";
import { compileUserPattern } from "@/lib/regex";
import type { PipelineConfig } from "@/lib/routes/config";
import type { PiiKind } from "@/server/modules/guardrails/pii-detect";
import { findPii } from "@/server/modules/guardrails/pii-detect";
import type { GuardAction } from "./actions";

type GuardsConfig = Pick<NonNullable<PipelineConfig["input"]>, "blocklist" | "regex" | "pii">;

/** One match of one guard in a text, `[start, end)` in UTF-16 units. */
export interface Finding {
  guard: TextGuard;
  start: number;
  end: number;
  /** PII only: the kind and the normalised value (same key → same placeholder). */
  pii?: { kind: PiiKind; key: string };
  /** Blocklist only: the matched word, to name its entry (never sent back). */
  word?: string;
}

export interface TextGuard {
  /** `blocklist`, `regex:<name>` or `pii`: the name in logs, headers and error messages. */
  rule: string;
  action: GuardAction;
  find(text: string): Finding[];
  /** How many characters at the end of `text` could begin a match that more text would complete. */
  holdback(text: string, window: number): number;
  /** What a masked match becomes (PII placeholders are numbered by the caller). */
  replacement: string;
  /** For a blocking guard's message: which entry matched, without echoing the text. */
  describe(finding: Finding): string;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** Letters, digits, marks and `_` in any script: what a word boundary separates. */
const WORD_CHAR = "[\\p{L}\\p{N}\\p{M}_]";
const NON_WORD_CHAR = "[^\\p{L}\\p{N}\\p{M}_]";

function blocklistGuard(config: NonNullable<GuardsConfig["blocklist"]>): TextGuard {
  const words = [...new Set(config.words)].sort((a, b) => b.length - a.length);
  const fold = (s: string) => (config.caseSensitive ? s : s.toLowerCase());
  const index = new Map(config.words.map((w, i) => [fold(w), i + 1]));
  // Word boundaries that understand Unicode (\b is ASCII-only): "ass" does not match "class" or "assiette".
  // RE2 (linear time: a backtracking engine spends seconds on 100 KB against a thousand long words) has a
  // lookbehind but no lookahead, so the closing boundary is consumed and the word is group 1; the next search
  // starts after the consumed character, which the lookbehind still sees.
  const pattern = RE2JS.compile(
    `(?<!${WORD_CHAR})(${words.map(escapeRegex).join("|")})(?:${NON_WORD_CHAR}|$)`,
    RE2JS.LOOKBEHINDS | (config.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE),
  );
  // Every prefix of every word: the tail of a stream worth holding back is the longest one of these.
  const prefixes = new Set<string>();
  let longest = 0;
  for (const word of words) {
    const folded = fold(word);
    longest = Math.max(longest, folded.length);
    for (let i = 1; i <= folded.length; i++) prefixes.add(folded.slice(0, i));
  }
  const guard: TextGuard = {
    rule: "blocklist",
    action: config.action,
    replacement: "***",
    find: (text) =>
      pattern.test(text)
        ? [...pattern.matchAll(text)].map((m) => {
            const start = m.index ?? 0;
            return { guard, start, end: start + m[1].length, word: m[1] };
          })
        : [],
    holdback(text) {
      // A whole word at the very end is held too: the next character may be a letter ("class" → "classic").
      for (let k = Math.min(longest, text.length); k > 0; k--) if (prefixes.has(fold(text.slice(-k)))) return k;
      return 0;
    },
    describe: (f) => `entry ${index.get(fold(f.word ?? "")) ?? "?"} of the blocklist`,
  };
  return guard;
}

function regexGuard(config: NonNullable<GuardsConfig["regex"]>[number]): TextGuard {
  // RE2 (linear time): a route's pattern is caller-independent but the text is not, and a backtracking
  // engine lets one message hold the process (`^(a+)+$` against 33 a's and a '!': 24 s in V8).
  const pattern = compileUserPattern(config.pattern, config.flags);
  const guard: TextGuard = {
    rule: `regex:${config.name}`,
    action: config.action,
    replacement: config.replacement,
    find: (text) =>
      [...pattern.matchAll(text)]
        .filter((m) => m[0].length > 0)
        .map((m) => ({ guard, start: m.index ?? 0, end: (m.index ?? 0) + m[0].length })),
    holdback: (text, window) => Math.min(text.length, window),
    describe: () => `pattern '${config.name}'`,
  };
  return guard;
}

function piiGuard(config: NonNullable<GuardsConfig["pii"]>): TextGuard {
  const kinds = config.kinds;
  const guard: TextGuard = {
    rule: "pii",
    action: config.action,
    replacement: "",
    find: (text) =>
      findPii(text, kinds).map((s) => ({ guard, start: s.start, end: s.end, pii: { kind: s.kind, key: s.key } })),
    // The window, or the whole unbroken run at the end if longer: keys and tokens (sk-…, JWTs) have no spaces.
    holdback: (text, window) => Math.min(text.length, Math.max(window, trailingRun(text))),
    describe: (f) => `${f.pii?.kind ?? "PII"} data`,
  };
  return guard;
}

/** Longest unbroken (whitespace-free) run a stream holds back for PII: longer ones are not tokens anyone pastes. */
const MAX_RUN = 2048;

function trailingRun(text: string): number {
  let n = 0;
  for (let i = text.length - 1; i >= 0 && n < MAX_RUN; i--, n++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) break;
  }
  return n;
}

/** Block beats mask beats flag where matches overlap: the strongest action decides a span. */
const STRENGTH: Record<GuardAction, number> = { block: 0, mask: 1, flag: 2 };

export class TextGuards {
  readonly guards: TextGuard[];

  constructor(config: GuardsConfig) {
    const guards: TextGuard[] = [];
    if (config.blocklist) guards.push(blocklistGuard(config.blocklist));
    for (const r of config.regex ?? []) guards.push(regexGuard(r));
    if (config.pii) guards.push(piiGuard(config.pii));
    this.guards = guards.sort((a, b) => STRENGTH[a.action] - STRENGTH[b.action]);
  }

  get empty() {
    return this.guards.length === 0;
  }

  /**
   * Every finding to act on, sorted by start. Blocks and masks do not
   * overlap (a weaker or later one overlapping an accepted one is dropped);
   * flags are kept even where they overlap, since they change nothing.
   */
  scan(text: string): Finding[] {
    const accepted: Finding[] = [];
    for (const guard of this.guards) {
      for (const finding of guard.find(text)) {
        if (
          guard.action === "flag" ||
          !accepted.some((a) => a.guard.action !== "flag" && finding.start < a.end && a.start < finding.end)
        )
          accepted.push(finding);
      }
    }
    return accepted.sort((a, b) => a.start - b.start || STRENGTH[a.guard.action] - STRENGTH[b.guard.action]);
  }

  /** Characters to hold back at the end of a stream's pending text. */
  holdback(text: string, window: number): number {
    let hold = 0;
    for (const guard of this.guards) hold = Math.max(hold, guard.holdback(text, window));
    return hold;
  }
}
