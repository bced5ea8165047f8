/** What token counting reads of a chat message (datasets' examples and the gateway's requests alike). */
export interface CountableMessage {
  role: string;
  content: string;
  name?: string;
  function_call?: unknown;
}

/** Tokens in a piece of text for some model. Pass the model's own tokenizer for exact figures. */
export type CountTokens = (text: string) => number;

/**
 * A rough, fast, tokenizer-free estimate (one pass over the UTF-16 code
 * units, a class table, no allocation), shaped after BPE tokenizers of the
 * cl100k family: a run of letters costs one token per started 6 letters, a
 * run of digits one per started 3 digits, each punctuation mark or symbol
 * one, each CJK/kana/hangul character one, a run of whitespace one unless it
 * is a single space or tab (which joins the next word). Use it for budgets
 * and statistics until the model's tokenizer is plugged in; not for billing.
 */
export function roughTokenCount(text: string): number {
  let tokens = 0;
  let run = 0;
  let runClass = -1;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const k = CHAR_CLASS[text.charCodeAt(i)];
    if (k === runClass) {
      run++;
      continue;
    }
    if (runClass === LETTER) tokens += ((run + 5) / 6) | 0;
    else if (runClass === DIGIT) tokens += ((run + 2) / 3) | 0;
    runClass = -1;
    if (k <= DIGIT) {
      if (spaces > 1) tokens++;
      spaces = 0;
      runClass = k;
      run = 1;
    } else if (k === SOFT_SPACE) spaces++;
    else if (k === HARD_SPACE) spaces += 2;
    else {
      if (spaces > 1) tokens++;
      spaces = 0;
      tokens++;
    }
  }
  if (runClass === LETTER) tokens += ((run + 5) / 6) | 0;
  else if (runClass === DIGIT) tokens += ((run + 2) / 3) | 0;
  if (spaces > 1) tokens++;
  return tokens;
}

const LETTER = 0;
const DIGIT = 1;
const SOFT_SPACE = 2;
const HARD_SPACE = 3;
const SYMBOL = 4;

/** Class of each UTF-16 code unit for {@link roughTokenCount}. */
const CHAR_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(65536).fill(LETTER); // non-ASCII letters by default
  for (let c = 0; c < 128; c++) table[c] = SYMBOL;
  for (let c = 97; c <= 122; c++) table[c] = LETTER;
  for (let c = 65; c <= 90; c++) table[c] = LETTER;
  for (let c = 48; c <= 57; c++) table[c] = DIGIT;
  table[32] = SOFT_SPACE;
  table[9] = SOFT_SPACE;
  table[10] = HARD_SPACE;
  table[13] = HARD_SPACE;
  for (const c of [0xa0, 0x2028, 0x2029, 0x3000]) table[c] = SOFT_SPACE;
  for (let c = 0x2000; c <= 0x200b; c++) table[c] = SOFT_SPACE;
  const wide: [number, number][] = [
    [0x80, 0xbf], // Latin-1 punctuation and symbols
    [0x2010, 0x205f], // general punctuation (dashes, quotes, ellipsis)
    [0x2e80, 0x9fff], // CJK radicals, kana, CJK unified ideographs
    [0xac00, 0xd7af], // Hangul syllables
    [0xd800, 0xdfff], // surrogates: emoji and rare scripts, about a token per half
    [0xf900, 0xfaff], // CJK compatibility ideographs
    [0xff00, 0xffef], // full-width forms
  ];
  for (const [from, to] of wide) for (let c = from; c <= to; c++) if (table[c] === LETTER) table[c] = SYMBOL;
  return table;
})();

/** Per OpenAI's cookbook (`num_tokens_from_messages`): 3 per message, 1 more per name, 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const TOKENS_REPLY_PRIMING = 3;

/**
 * Tokens of a chat example as OpenAI's cookbook counts them: for each message
 * 3 + tokens(role) + tokens(content) (+ tokens(name) + 1 with a name)
 * (+ tokens(JSON of function_call)), then 3 for the reply priming.
 */
export function countExampleTokens(messages: readonly CountableMessage[], count: CountTokens): number {
  let tokens = TOKENS_REPLY_PRIMING;
  for (const m of messages) {
    tokens += TOKENS_PER_MESSAGE + count(m.role) + count(m.content);
    if (m.name !== undefined) tokens += count(m.name) + TOKENS_PER_NAME;
    if (m.function_call !== undefined) tokens += count(JSON.stringify(m.function_call));
  }
  return tokens;
}

/** Both counts in one pass over the text: what the validator records per example. */
export function measureExample(
  messages: readonly CountableMessage[],
  count: CountTokens,
): { tokens: number; assistantTokens: number } {
  let tokens = TOKENS_REPLY_PRIMING;
  let assistantTokens = 0;
  for (const m of messages) {
    const content = count(m.content);
    if (m.role === "assistant") assistantTokens += content;
    tokens += TOKENS_PER_MESSAGE + count(m.role) + content;
    if (m.name !== undefined) tokens += count(m.name) + TOKENS_PER_NAME;
    if (m.function_call !== undefined) tokens += count(JSON.stringify(m.function_call));
  }
  return { tokens, assistantTokens };
}

/** Tokens of the assistant messages' content (the cookbook's `num_assistant_tokens_from_messages`). */
export function countAssistantTokens(messages: readonly CountableMessage[], count: CountTokens): number {
  let tokens = 0;
  for (const m of messages) if (m.role === "assistant") tokens += count(m.content);
  return tokens;
}

/**
 * Tokens of tool or function definitions, counted over their JSON (the model reads them as text, rendered in
 * its own way: a rough estimate, like the rest). Only requests that carry definitions pay for serializing them.
 */
export function countDefinitionTokens(definitions: readonly unknown[], count: CountTokens): number {
  let tokens = 0;
  for (const definition of definitions) tokens += count(JSON.stringify(definition) ?? "");
  return tokens;
}
