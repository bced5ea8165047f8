/**
 * The guardrails a route can run, as the editor offers them: a snippet per kind (what "Insert guard" writes) and
 * what each costs a streamed answer, measured by bench/gateway/guards.ts (figures in bench/README.md, "Gateway:
 * guard latency"). Pure: shared by the form, the insert menu and the tests.
 */
import { applyDraft, insertCommented, readDraft, setPath } from "./form-sync";

export type GuardStage = "input" | "output";
export type GuardKind = "blocklist" | "regex" | "pii" | "injection";

export interface GuardInfo {
  stage: GuardStage;
  kind: GuardKind;
  label: string;
  /** What it does, in a line. */
  summary: string;
  /** What it adds to a streamed answer (from the bench). */
  latency: string;
  /** The value "Insert guard" writes under `pipeline.<stage>.<kind>` (for regex: one list item). */
  snippet: unknown;
}

const CARD_PATTERN = "\\b(?:\\d[ -]?){13,16}\\b";

/** Measured on the 2-core bench machine, upstream at 50 tokens/s (one ~5-character token every 20 ms). */
export const GUARD_LATENCY = {
  /** Input guards: a few ms of CPU on the prompt, within the bench's noise. */
  inputMs: 5,
  /** Output regex/PII with the default holdbackChars (64): 205–300 ms measured, ≈ 64 ÷ 5.6 chars × 20 ms. */
  outputWindowMs: "200–300",
  outputWindow16Ms: 75,
} as const;

const INPUT_LATENCY = `Runs once on the prompt before the model is called: a few ms (~${GUARD_LATENCY.inputMs}), nothing held back.`;
const WINDOW_LATENCY =
  `Streams hold text back until holdbackChars (default 64) characters are checked: adds ~${GUARD_LATENCY.outputWindowMs} ms ` +
  `to the first token at 50 tokens/s (~${GUARD_LATENCY.outputWindow16Ms} ms with holdbackChars: 16, which can miss longer matches split across chunks).`;

export const GUARDS: GuardInfo[] = [
  {
    stage: "input",
    kind: "blocklist",
    label: "Input blocklist",
    summary: "Refuses (400), masks or flags prompts containing listed words.",
    latency: INPUT_LATENCY,
    snippet: { words: ["forbidden phrase"], action: "block", caseSensitive: false },
  },
  {
    stage: "input",
    kind: "regex",
    label: "Input regex",
    summary: "Blocks, masks or flags prompts matching a pattern (RE2: linear time).",
    latency: INPUT_LATENCY,
    snippet: { name: "card-number", pattern: CARD_PATTERN, flags: "i", action: "mask", replacement: "[CARD]" },
  },
  {
    stage: "input",
    kind: "pii",
    label: "Input PII",
    summary: "Masks (or blocks, flags) e-mails, phone numbers, cards, IBANs, secrets… in prompts.",
    latency: INPUT_LATENCY,
    snippet: { action: "mask", kinds: ["EMAIL", "PHONE", "CARD", "SECRET"] },
  },
  {
    stage: "input",
    kind: "injection",
    label: "Prompt injection",
    summary: "Blocks or flags prompts whose injection score reaches the threshold.",
    latency: INPUT_LATENCY,
    snippet: { action: "block", threshold: 0.5 },
  },
  {
    stage: "output",
    kind: "blocklist",
    label: "Output blocklist",
    summary: "Stops (block), masks or flags answers containing listed words.",
    latency: "Streams hold back only a possible prefix of a listed word: no measurable delay to the first token.",
    snippet: { words: ["forbidden phrase"], action: "block", caseSensitive: false },
  },
  {
    stage: "output",
    kind: "regex",
    label: "Output regex",
    summary: "Stops, masks or flags answer text matching a pattern.",
    latency: WINDOW_LATENCY,
    snippet: { name: "card-number", pattern: CARD_PATTERN, flags: "i", action: "mask", replacement: "[CARD]" },
  },
  {
    stage: "output",
    kind: "pii",
    label: "Output PII",
    summary: "Masks (or stops, flags) personal data in answers.",
    latency: WINDOW_LATENCY,
    snippet: { action: "mask" },
  },
];

export const guardInfo = (stage: GuardStage, kind: GuardKind) =>
  GUARDS.find((g) => g.stage === stage && g.kind === kind);

/**
 * The text with a guard of this kind added under `pipeline.<stage>`, commented with what it costs. A regex is
 * appended to the stage's list (with a name not yet taken); another kind replaces an existing one of its kind.
 */
export function insertGuard(source: string, stage: GuardStage, kind: GuardKind): string {
  const info = guardInfo(stage, kind);
  if (!info) throw new Error(`No ${stage} guard of kind ${kind}`);
  const comment = `${info.label}: ${info.summary}\n${info.latency}`;
  if (kind !== "regex") return insertCommented(source, ["pipeline", stage], kind, info.snippet, comment);
  const draft = readDraft(source);
  if (!draft.ok) throw new Error("The text has syntax errors: fix them before inserting");
  const list = (draft.draft.pipeline as { [k: string]: { regex?: { name?: string }[] } } | undefined)?.[stage]?.regex;
  if (!Array.isArray(list) || list.length === 0)
    return insertCommented(source, ["pipeline", stage], "regex", [info.snippet], comment);
  const taken = new Set(list.map((g) => g?.name));
  let n = 2;
  while (taken.has(`card-number-${n}`)) n++;
  const item = { ...(info.snippet as object), name: `card-number-${n}` };
  return applyDraft(source, setPath(draft.draft, ["pipeline", stage, "regex", list.length], item));
}
