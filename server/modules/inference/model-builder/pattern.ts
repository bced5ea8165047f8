import { BYTE_TO_CHAR, byteLevel, IM_END, type Vocabulary } from "./vocabulary";

/**
 * What the test model predicts, as a table: the next token depends only on
 * the last one. The weights are built so greedy decoding follows it exactly;
 * attention and the conv state still change every logit a little, so a
 * broken cache shows in the numbers.
 *
 * - after a newline (the end of the chat template's generation prompt) it
 *   says DEMO_REPLY, whose rocket is four byte tokens, then `<|im_end|>`;
 * - letters and digits continue the alphabet: "abc" -> "defg…", "xyz" -> "abc…";
 * - anything else ends the text with `<|endoftext|>`.
 */
export const DEMO_REPLY = "Hello! I am a tiny demo model 🚀.";

/** DEMO_REPLY's tokens after the newline, in the vocabulary's byte-level alphabet. */
const REPLY_TOKENS = [
  ...["\n", "Hello", "!", " I", " am", " a", " tiny", " demo", " model", " "].map(byteLevel),
  // 🚀 = F0 9F 9A 80: one token per byte, so streaming must hold partial characters back.
  ...Array.from(new TextEncoder().encode("🚀"), (b) => BYTE_TO_CHAR[b]),
  byteLevel("."),
];

export function successorTable(vocab: Vocabulary): Int32Array {
  const next = new Int32Array(vocab.tokens.length).fill(vocab.specialIds.endoftext);
  const id = (token: string) => {
    const found = vocab.ids.get(token);
    if (found === undefined) throw new Error(`test vocabulary lacks ${JSON.stringify(token)}`);
    return found;
  };
  const chain = [...REPLY_TOKENS.map(id), id(IM_END)];
  for (let i = 0; i + 1 < chain.length; i++) next[chain[i]] = chain[i + 1];
  for (const [first, count] of [
    ["a", 26],
    ["A", 26],
    ["0", 10],
  ] as const) {
    const start = first.charCodeAt(0);
    for (let i = 0; i < count; i++) {
      next[id(String.fromCharCode(start + i))] = id(String.fromCharCode(start + ((i + 1) % count)));
    }
  }
  return next;
}
