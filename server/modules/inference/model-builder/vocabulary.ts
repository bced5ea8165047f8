/**
 * The test model's byte-level BPE vocabulary: the 256 GPT-2 byte tokens, a
 * few merged words (so the demo reply is made of real multi-character
 * tokens), and three special tokens (ChatML).
 */

/** GPT-2's reversible byte -> printable character map (`bytes_to_unicode`). */
export const BYTE_TO_CHAR: string[] = (() => {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return map;
})();

/** A string in the byte-level alphabet the vocabulary uses ("Ġ" for space, "Ċ" for newline). */
export function byteLevel(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => BYTE_TO_CHAR[b]).join("");
}

const ENDOFTEXT = "<|endoftext|>";
const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";

/** Words that become single tokens (with every prefix as an intermediate merge). */
const MERGED_WORDS = ["Hello", " I", " am", " a", " tiny", " demo", " model", "assistant", "user", "system"];

export interface Vocabulary {
  /** id -> token, in the byte-level alphabet (special tokens verbatim). */
  tokens: string[];
  ids: Map<string, number>;
  merges: [string, string][];
  specialIds: { endoftext: number; imStart: number; imEnd: number };
}

export function buildVocabulary(): Vocabulary {
  const tokens = [...BYTE_TO_CHAR];
  const ids = new Map(tokens.map((t, i) => [t, i]));
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  for (const word of MERGED_WORDS) {
    const chars = Array.from(byteLevel(word));
    let left = chars[0];
    for (const right of chars.slice(1)) {
      const merged = left + right;
      const key = `${left} ${right}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([left, right]);
      }
      if (!ids.has(merged)) {
        ids.set(merged, tokens.length);
        tokens.push(merged);
      }
      left = merged;
    }
  }
  const addSpecial = (token: string) => {
    ids.set(token, tokens.length);
    tokens.push(token);
    return tokens.length - 1;
  };
  const specialIds = { endoftext: addSpecial(ENDOFTEXT), imStart: addSpecial(IM_START), imEnd: addSpecial(IM_END) };
  return { tokens, ids, merges, specialIds };
}

const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** `tokenizer.json` in the Hugging Face `tokenizers` format (byte-level BPE, as GPT-2). */
export function tokenizerJson(vocab: Vocabulary) {
  const special = [vocab.specialIds.endoftext, vocab.specialIds.imStart, vocab.specialIds.imEnd];
  const byteLevelOptions = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((id) => ({
      id,
      content: vocab.tokens[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...byteLevelOptions },
    post_processor: { type: "ByteLevel", ...byteLevelOptions },
    decoder: { type: "ByteLevel", ...byteLevelOptions },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.tokens.slice(0, vocab.specialIds.endoftext).map((t, i) => [t, i])),
      merges: vocab.merges,
    },
  };
}

export function tokenizerConfig(vocab: Vocabulary, contextLength: number) {
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(
      [vocab.specialIds.endoftext, vocab.specialIds.imStart, vocab.specialIds.imEnd].map((id) => [
        String(id),
        {
          content: vocab.tokens[id],
          lstrip: false,
          normalized: false,
          rstrip: false,
          single_word: false,
          special: true,
        },
      ]),
    ),
    bos_token: ENDOFTEXT,
    eos_token: IM_END,
    pad_token: ENDOFTEXT,
    unk_token: ENDOFTEXT,
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: contextLength,
    tokenizer_class: "GPT2Tokenizer",
  };
}
