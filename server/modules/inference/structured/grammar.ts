import type { TokenConstraint } from "../constraint";
import { Recognizer, type State, stateKey } from "./recognizer";
import type { SchemaNode } from "./schema";
import type { TokenVocabulary, TrieNode } from "./vocabulary";

/** Masks kept per grammar: at most this many bytes of flags (one byte per token per state). */
const MASK_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * One compiled grammar for one tokenizer, shared by every sequence that uses it: the recognizer and the masks
 * already computed, keyed by recognizer state (inside a long string or between two properties the state repeats,
 * so most steps are a lookup).
 */
export class Grammar {
  readonly recognizer: Recognizer;
  private readonly masks = new Map<string, Uint8Array>();
  private readonly maxMasks: number;

  constructor(
    readonly root: SchemaNode,
    readonly vocab: TokenVocabulary,
    readonly eosTokenIds: number[],
  ) {
    this.recognizer = new Recognizer(vocab.horizon);
    this.maxMasks = Math.max(16, Math.floor(MASK_CACHE_BYTES / Math.max(vocab.bytes.length, 1)));
  }

  /** 1 for each token that keeps the text a valid prefix (EOS where the document may end). */
  allowed(state: State): Uint8Array {
    const key = stateKey(state);
    let flags = this.masks.get(key);
    if (flags) return flags;
    flags = new Uint8Array(this.vocab.bytes.length);
    if (state.length > 0) this.visit(this.vocab.trie, state, flags);
    if (this.recognizer.accepting(state)) for (const id of this.eosTokenIds) flags[id] = 1;
    // Nothing fits (a schema the vocabulary cannot spell): end rather than write garbage.
    if (!flags.includes(1)) for (const id of this.eosTokenIds) flags[id] = 1;
    if (this.masks.size >= this.maxMasks) this.masks.delete(this.masks.keys().next().value as string);
    this.masks.set(key, flags);
    return flags;
  }

  /** Walks the token trie depth first with the recognizer: a branch dies with its first byte that does not fit. */
  private visit(node: TrieNode, state: State, flags: Uint8Array): void {
    for (const [c, child] of node.children) {
      const next = this.recognizer.step(state, c);
      if (next.length === 0) continue;
      for (const id of child.tokens) flags[id] = 1;
      if (child.children.size > 0) this.visit(child, next, flags);
    }
  }
}

/** Applies allowed-token flags to logits: every other token (and any id past the vocabulary) to -Infinity. */
function applyMask(logits: Float32Array, flags: Uint8Array): void {
  const n = Math.min(logits.length, flags.length);
  for (let i = 0; i < n; i++) if (flags[i] === 0) logits[i] = Number.NEGATIVE_INFINITY;
  for (let i = n; i < logits.length; i++) logits[i] = Number.NEGATIVE_INFINITY;
}

/** The whole output is one document of the grammar, then EOS. */
export class GrammarConstraint implements TokenConstraint {
  private state: State;
  private done = false;

  constructor(
    private readonly grammar: Grammar,
    state?: State,
  ) {
    this.state = state ?? grammar.recognizer.initial(grammar.root);
  }

  get complete(): boolean {
    return this.done || (this.state.length > 0 && this.state.every((stack) => stack === null));
  }

  mask(logits: Float32Array): void {
    applyMask(logits, this.grammar.allowed(this.state));
  }

  advance(token: number): void {
    if (this.grammar.eosTokenIds.includes(token)) {
      this.done = true;
      return;
    }
    const bytes = this.grammar.vocab.bytes[token];
    this.state = bytes ? this.grammar.recognizer.walk(this.state, bytes) : [];
  }
}

/**
 * Free text until the output contains `trigger` (a tool call's opening, with tool_choice auto); from the call's
 * start on, the rest must be the grammar (the call), then EOS. If what was written cannot be a call, it stays free.
 */
export class TriggeredConstraint implements TokenConstraint {
  private text = "";
  private inner: GrammarConstraint | null = null;

  constructor(
    private readonly grammar: Grammar,
    private readonly trigger: string,
    /** Bytes of the call before the trigger (the trigger is at this offset in the call's opening). */
    private readonly triggerOffset: number,
  ) {}

  get complete(): boolean {
    return this.inner?.complete ?? false;
  }

  mask(logits: Float32Array): void {
    this.inner?.mask(logits);
  }

  advance(token: number): void {
    if (this.inner) {
      this.inner.advance(token);
      return;
    }
    const bytes = this.grammar.vocab.bytes[token];
    if (!bytes) return;
    const from = Math.max(0, this.text.length - this.trigger.length);
    this.text += bytes;
    const at = this.text.indexOf(this.trigger, from);
    if (at < 0) return;
    const start = at - this.triggerOffset;
    const opening = this.grammar.recognizer.initial(this.grammar.root);
    const state = start >= 0 ? this.grammar.recognizer.walk(opening, this.text.slice(start)) : [];
    if (state.length > 0) this.inner = new GrammarConstraint(this.grammar, state);
  }
}
