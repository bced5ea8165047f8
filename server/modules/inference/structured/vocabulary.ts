/**
 * Each token's real bytes (as a latin1 string), from tokenizer.json: byte-level BPE pieces through GPT-2's byte
 * alphabet, SentencePiece pieces with "▁" as a space and `<0xAB>` byte-fallback tokens, added tokens by content.
 * Special added tokens (ChatML markers, EOS) and tokens over 48 bytes are left out (`null`): never allowed.
 */
export interface TokenVocabulary {
  /** Per token id: its bytes, or null for a token the recognizer never allows. */
  bytes: (string | null)[];
  /** The longest token, in bytes. */
  horizon: number;
  trie: TrieNode;
}

export interface TrieNode {
  children: Map<number, TrieNode>;
  /** Tokens whose bytes end here. */
  tokens: number[];
}

type Json = Record<string, unknown>;

/** GPT-2's printable stand-in for each byte (`bytes_to_unicode`), reversed. */
const CHAR_TO_BYTE: Map<string, number> = (() => {
  const map = new Map<string, number>();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(String.fromCharCode(printable ? b : 256 + extra++), b);
  }
  return map;
})();

const utf8 = new TextEncoder();
const asLatin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

function usesByteLevel(json: Json): boolean {
  const decoder = json.decoder as Json | null | undefined;
  if (!decoder) return false;
  if (decoder.type === "ByteLevel") return true;
  return Array.isArray(decoder.decoders) && (decoder.decoders as Json[]).some((d) => d.type === "ByteLevel");
}

function pieceBytes(piece: string, byteLevel: boolean): string | null {
  if (byteLevel) {
    let out = "";
    for (const ch of piece) {
      const b = CHAR_TO_BYTE.get(ch);
      if (b === undefined) return null;
      out += String.fromCharCode(b);
    }
    return out;
  }
  const fallback = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  if (fallback) return String.fromCharCode(Number.parseInt(fallback[1], 16));
  return asLatin1(utf8.encode(piece.replace(/▁/g, " ")));
}

/**
 * Longer tokens are never allowed under a constraint: in real vocabularies they are runs of spaces or code, never
 * compact JSON's, and leaving them out bounds the horizon, so counters far from their bounds share mask-cache keys.
 */
const MAX_TOKEN_BYTES = 48;

const cache = new WeakMap<object, TokenVocabulary>();

export function tokenVocabulary(tokenizerJson: object): TokenVocabulary {
  const known = cache.get(tokenizerJson);
  if (known) return known;
  const json = tokenizerJson as Json;
  const model = (json.model ?? {}) as Json;
  const byteLevel = usesByteLevel(json);
  const bytes: (string | null)[] = [];
  const vocab = model.vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], ...] by id.
    vocab.forEach((entry, id) => {
      bytes[id] = pieceBytes(String((entry as unknown[])[0]), byteLevel);
    });
  } else if (vocab && typeof vocab === "object") {
    for (const [piece, id] of Object.entries(vocab as Record<string, number>)) bytes[id] = pieceBytes(piece, byteLevel);
  }
  for (const added of (json.added_tokens ?? []) as { id: number; content: string; special?: boolean }[])
    bytes[added.id] = added.special ? null : asLatin1(utf8.encode(added.content));
  const trie: TrieNode = { children: new Map(), tokens: [] };
  let horizon = 1;
  for (let id = 0; id < bytes.length; id++) {
    const b = bytes[id];
    if (!b || b.length > MAX_TOKEN_BYTES) {
      bytes[id] = null;
      continue;
    }
    horizon = Math.max(horizon, b.length);
    let node = trie;
    for (let i = 0; i < b.length; i++) {
      const c = b.charCodeAt(i);
      let child = node.children.get(c);
      if (!child) {
        child = { children: new Map(), tokens: [] };
        node.children.set(c, child);
      }
      node = child;
    }
    node.tokens.push(id);
  }
  const out = { bytes, horizon, trie };
  cache.set(tokenizerJson, out);
  return out;
}
