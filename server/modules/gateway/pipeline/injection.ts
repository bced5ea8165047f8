/**
 * Prompt-injection heuristics: a scored set of patterns. Each rule that
 * matches contributes its weight; the score is 1 − Π(1 − weight) over the
 * distinct rules that matched (a noisy-or: two medium signals together beat
 * one, and the score never exceeds 1). Cheap and explainable, not a model:
 * it catches the well-known phrasings and says which ones it saw.
 */

export interface InjectionRule {
  id: string;
  weight: number;
  test(text: string): boolean;
}

const re = (id: string, weight: number, pattern: RegExp): InjectionRule => ({
  id,
  weight,
  test: (text) => pattern.test(text),
});

/** Base64 runs long enough to hide a sentence. */
const BASE64_BLOB = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/g;
const INSTRUCTION_WORDS =
  /\b(?:ignore|disregard|instructions?|system prompt|you are|pretend|jailbreak|do anything|password|reveal)\b/i;

/** A base64 blob that decodes to readable text carrying instruction words: an obfuscated instruction. */
function hidesInstructions(text: string): boolean {
  for (const m of text.matchAll(BASE64_BLOB)) {
    const decoded = Buffer.from(m[0], "base64").toString("utf8");
    const printable = decoded.replace(/[^\x20-\x7e\n\t]/g, "").length / Math.max(1, decoded.length);
    if (printable > 0.9 && INSTRUCTION_WORDS.test(decoded)) return true;
  }
  return false;
}

const INJECTION_RULES: readonly InjectionRule[] = [
  re(
    "ignore_previous_instructions",
    0.8,
    /\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:(?:all|any|the|your|of|these|those|every)\s+)*(?:previous|prior|above|earlier|preceding|initial|original|system|developer)\s+(?:\w+\s+)?(?:instructions?|prompts?|rules|directions|guidelines|directives|context)\b/i,
  ),
  re(
    "dan_persona",
    0.8,
    /\b(?:you\s+are\s+(?:now\s+)?DAN\b|DAN\s+mode|do\s+anything\s+now|developer\s+mode\s+(?:enabled|on|activated)|jailbr(?:oken|eak)\s+mode)/i,
  ),
  re(
    "new_identity",
    0.45,
    /\byou\s+are\s+(?:now|no\s+longer)\b[^.\n]{0,40}?\b(?:unrestricted|unfiltered|uncensored|free|evil|without\s+(?:any\s+)?(?:rules|limits|restrictions|filters))\b/i,
  ),
  re(
    "system_prompt_exfiltration",
    0.7,
    /\b(?:reveal|show|print|repeat|output|display|leak|dump|tell\s+me|what\s+(?:is|are|was|were))\b[^.\n]{0,40}?\b(?:system|hidden|initial|original|secret|developer)\s+(?:prompt|instructions?|message|rules)\b/i,
  ),
  re(
    "repeat_text_above",
    0.6,
    /\b(?:repeat|print|output|copy)\b[^.\n]{0,30}?\b(?:words|text|everything|all)\s+(?:above|before\s+this)\b/i,
  ),
  re(
    "roleplay_jailbreak",
    0.55,
    /\b(?:pretend|act\s+as|role-?play|imagine\s+(?:that\s+)?you\s+are|from\s+now\s+on,?\s+you)\b[^.\n]{0,80}?\b(?:no|without|free\s+(?:of|from)|unrestricted|unfiltered|not\s+bound\s+by|ignores?)\b[^.\n]{0,30}?\b(?:rules|restrictions|limits|filters|guidelines|ethics|policies|censorship|morals)\b/i,
  ),
  re(
    "fake_role_tokens",
    0.5,
    /<\|(?:im_start|im_end|system|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|^\s*#{2,}\s*(?:system|assistant)\s*:|<\/?system>/im,
  ),
  { id: "encoded_instructions", weight: 0.6, test: hidesInstructions },
  re(
    "invisible_characters",
    0.3,
    /[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069].*[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069].*[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]/s,
  ),
];

export interface InjectionScore {
  /** 0..1, rounded to two decimals. */
  score: number;
  /** Ids of the rules that matched, in rule order. */
  matched: string[];
}

/** Scores texts (the caller's messages) together: a rule counts once however many texts it matches. */
export function scoreInjection(
  texts: readonly string[],
  rules: readonly InjectionRule[] = INJECTION_RULES,
): InjectionScore {
  const matched = rules.filter((rule) => texts.some((text) => rule.test(text)));
  const miss = matched.reduce((p, rule) => p * (1 - rule.weight), 1);
  return { score: Math.round((1 - miss) * 100) / 100, matched: matched.map((r) => r.id) };
}
