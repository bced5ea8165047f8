// Deterministic text evaluators: exact, contains, starts_with, regex, numeric, levenshtein, rouge_l. They run
// synchronously; the quadratic ones (Levenshtein, ROUGE-L) compare at most MAX_SIMILARITY_CHARS characters /
// MAX_ROUGE_TOKENS words of each side, so one case costs at most a few milliseconds of the event loop.
import { type EvaluatorConfig, MAX_ROUGE_TOKENS, MAX_SIMILARITY_CHARS } from "@/lib/evals/evaluators";
import { compileUserPattern } from "@/lib/regex";
import type { EvalSample } from "../types";
import { comparedTexts, EvaluatorInputError, expectedText, quote, type RawScore } from "./common";

type TextConfig = EvaluatorConfig<"exact">;

const verdict = (ok: boolean, yes: string, no: string): RawScore => ({ score: ok ? 1 : 0, reason: ok ? yes : no });

export function exact(config: TextConfig, sample: EvalSample): RawScore {
  const { output, target } = comparedTexts(config, sample);
  return verdict(output === target, `equals ${quote(target)}`, `does not equal ${quote(target)}`);
}

export function contains(config: TextConfig, sample: EvalSample): RawScore {
  const { output, target } = comparedTexts(config, sample);
  return verdict(output.includes(target), `contains ${quote(target)}`, `does not contain ${quote(target)}`);
}

export function startsWith(config: TextConfig, sample: EvalSample): RawScore {
  const { output, target } = comparedTexts(config, sample);
  return verdict(output.startsWith(target), `starts with ${quote(target)}`, `does not start with ${quote(target)}`);
}

// Compiled patterns, shared by every case of a run (RE2 programs are immutable).
const patterns = new Map<string, ReturnType<typeof compileUserPattern>>();

export function regex(config: EvaluatorConfig<"regex">, sample: EvalSample): RawScore {
  const key = `${config.flags}/${config.pattern}`;
  let compiled = patterns.get(key);
  if (!compiled) {
    compiled = compileUserPattern(config.pattern, config.flags);
    if (patterns.size >= 1000) patterns.clear();
    patterns.set(key, compiled);
  }
  const shown = `/${config.pattern}/${config.flags}`;
  return verdict(compiled.test(sample.output), `matches ${quote(shown)}`, `does not match ${quote(shown)}`);
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/** The whole text as a number, else the first number in it (`"about 42 km"` is 42); null when there is none. */
export function numberIn(text: string): number | null {
  const whole = text.trim().replace(/,/g, "");
  if (whole !== "" && Number.isFinite(Number(whole))) return Number(whole);
  const found = NUMBER.exec(whole);
  return found && Number.isFinite(Number(found[0])) ? Number(found[0]) : null;
}

export function numeric(config: EvaluatorConfig<"numeric">, sample: EvalSample): RawScore {
  const actual = numberIn(sample.output.slice(0, 10_000));
  if (actual === null) return { score: 0, reason: "the output holds no number" };
  let target = config.value;
  if (config.useExpected) {
    const parsed = numberIn(expectedText(sample));
    if (parsed === null) throw new EvaluatorInputError("the expected output holds no number");
    target = parsed;
  }
  const want = target as number;
  const diff = Math.abs(actual - want);
  const allowed = config.mode === "absolute" ? config.tolerance : config.tolerance * Math.abs(want);
  const ok = diff <= allowed + Number.EPSILON * Math.max(1, Math.abs(want));
  const bound = config.mode === "absolute" ? `±${config.tolerance}` : `±${config.tolerance * 100}%`;
  return verdict(ok, `${actual} is within ${bound} of ${want}`, `${actual} is not within ${bound} of ${want}`);
}

/** Edit distance of a and b (insert, delete, substitute: 1 each), two rows of memory. */
export function levenshteinDistance(a: string, b: string): number {
  // Common prefix and suffix cost nothing: strip them before the quadratic part.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const s = a.slice(start, endA);
  const t = b.slice(start, endB);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let previous = new Uint32Array(t.length + 1);
  let current = new Uint32Array(t.length + 1);
  for (let j = 0; j <= t.length; j++) previous[j] = j;
  for (let i = 1; i <= s.length; i++) {
    current[0] = i;
    const c = s.charCodeAt(i - 1);
    for (let j = 1; j <= t.length; j++) {
      const cost = c === t.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    [previous, current] = [current, previous];
  }
  return previous[t.length];
}

const capNote = (cut: boolean) =>
  cut ? ` (first ${MAX_SIMILARITY_CHARS.toLocaleString("en-US")} characters compared)` : "";

export function levenshtein(config: TextConfig, sample: EvalSample): RawScore {
  const { output, target } = comparedTexts(config, sample);
  const cut = output.length > MAX_SIMILARITY_CHARS || target.length > MAX_SIMILARITY_CHARS;
  const a = output.slice(0, MAX_SIMILARITY_CHARS);
  const b = target.slice(0, MAX_SIMILARITY_CHARS);
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return { score: 1, reason: "both texts are empty" };
  const distance = levenshteinDistance(a, b);
  const score = 1 - distance / longest;
  return { score, reason: `similarity ${score.toFixed(3)} (edit distance ${distance})${capNote(cut)}` };
}

/** Lower-cased words (letters and digits), as ROUGE tokenises. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Length of the longest common subsequence of two word lists (one row of memory per side). */
export function lcsLength(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

export function rougeL(config: TextConfig, sample: EvalSample): RawScore {
  const { output, target } = comparedTexts(config, sample);
  const candidate = words(output);
  const reference = words(target);
  const cut = candidate.length > MAX_ROUGE_TOKENS || reference.length > MAX_ROUGE_TOKENS;
  const c = candidate.slice(0, MAX_ROUGE_TOKENS);
  const r = reference.slice(0, MAX_ROUGE_TOKENS);
  if (c.length === 0 && r.length === 0) return { score: 1, reason: "both texts have no words" };
  const lcs = lcsLength(c, r);
  if (lcs === 0) return { score: 0, reason: "no words in common" };
  const precision = lcs / c.length;
  const recall = lcs / r.length;
  const f = (2 * precision * recall) / (precision + recall);
  const note = cut ? ` (first ${MAX_ROUGE_TOKENS.toLocaleString("en-US")} words compared)` : "";
  return {
    score: f,
    reason: `ROUGE-L F ${f.toFixed(3)} (precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)})${note}`,
  };
}
