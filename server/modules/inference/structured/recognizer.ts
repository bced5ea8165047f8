import { type PatternAutomaton, stepPattern, writable } from "./pattern";
import { FREE_KEY_MAX, MAX_INTEGER_LENGTH, MAX_NUMBER_LENGTH, type SchemaNode } from "./schema";

/**
 * An incremental recognizer of compact JSON matching a compiled schema, fed one byte at a time (tokens are bytes:
 * byte-level BPE pieces need not be whole characters). A state is a set of stacks (a pushdown automaton made
 * deterministic on the fly: anyOf, enum values, object keys and numbers' ends are alternatives that die when a
 * byte does not fit); `null` in the set is a finished document. Frames are immutable, so a state is shared freely
 * while masks walk the vocabulary, and each stack has a key: equal keys accept the same continuations.
 */
type Frame =
  /** A value of `node` starts with the next byte. */
  | { t: "val"; node: SchemaNode }
  /** Fixed text (bytes as a latin1 string), `pos` bytes of it read. */
  | { t: "lit"; text: string; pos: number }
  /**
   * Inside a string: `len` characters so far; `esc` 1 after a backslash, 2..5 = hex digits of \u left + 1;
   * `utf8` the continuation bytes still due (x10) plus the next one's range (UTF8_RANGES), so text is valid UTF-8.
   */
  | { t: "str"; min: number; max: number; len: number; esc: number; utf8: number }
  /** Inside a patterned string: automaton state `s` after `len` characters (pattern.ts). */
  | { t: "pat"; a: PatternAutomaton; s: number; len: number; max: number }
  | { t: "num"; integer: boolean; phase: number; len: number }
  /** Properties are written in schema order: the next key is one of props[next..first required]. */
  | { t: "obj"; node: Extract<SchemaNode, { kind: "object" }>; next: number; phase: "open" | "after" | "comma" }
  | { t: "fobj"; values: SchemaNode; phase: "open" | "colon" | "after" | "comma" }
  | { t: "arr"; node: Extract<SchemaNode, { kind: "array" }>; count: number; phase: "open" | "after" | "comma" };

export interface Stack {
  f: Frame;
  up: Stack | null;
  key: string;
}
export type State = (Stack | null)[];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const ESCAPES = new Set(Array.from('"\\/bfnrt', (ch) => ch.charCodeAt(0)));
/** Number phases after which the number may end: "0", digits, fraction digits, exponent digits. */
const NUMBER_ENDS = new Set([1, 2, 4, 7]);
/** The allowed range of the next continuation byte (no overlong forms, surrogates or code points past U+10FFFF). */
const UTF8_RANGES: [number, number][] = [
  [0x80, 0xbf],
  [0xa0, 0xbf],
  [0x80, 0x9f],
  [0x90, 0xbf],
  [0x80, 0x8f],
];

/** The `utf8` field after a lead byte, or -1 for a byte that cannot start a character. */
function utf8Lead(c: number): number {
  if (c >= 0xc2 && c <= 0xdf) return 10;
  if (c === 0xe0) return 21;
  if (c === 0xed) return 22;
  if (c >= 0xe1 && c <= 0xef) return 20;
  if (c === 0xf0) return 33;
  if (c === 0xf4) return 34;
  if (c >= 0xf1 && c <= 0xf3) return 30;
  return -1;
}

const utf8 = new TextEncoder();
const bytesMemo = new Map<string, string>();
/** UTF-8 bytes of a text as a latin1 string (one char per byte). */
function latin1Bytes(text: string): string {
  let out = bytesMemo.get(text);
  if (out === undefined) {
    out = String.fromCharCode(...utf8.encode(text));
    if (bytesMemo.size < 10_000) bytesMemo.set(text, out);
  }
  return out;
}

export class Recognizer {
  /** `horizon`: the longest token in bytes. Counters further than that from their bound share one state key. */
  constructor(private readonly horizon: number) {}

  initial(node: SchemaNode): State {
    return [this.push({ t: "val", node }, null)];
  }

  step(state: State, c: number): State {
    const out: State = [];
    for (const stack of state) if (stack) this.feed(stack, c, out);
    return dedupe(out);
  }

  /** Bytes in a row (a token); an empty state when they do not fit. */
  walk(state: State, bytes: string): State {
    let s = state;
    for (let i = 0; i < bytes.length && s.length > 0; i++) s = this.step(s, bytes.charCodeAt(i));
    return s;
  }

  /** Whether the document may end here (a finished value, or a number that may stop). */
  accepting(state: State): boolean {
    return state.some((stack) => this.ends(stack));
  }

  private ends(stack: Stack | null): boolean {
    if (stack === null) return true;
    const f = stack.f;
    return f.t === "num" && NUMBER_ENDS.has(f.phase) && this.ends(stack.up);
  }

  private push(f: Frame, up: Stack | null): Stack {
    return { f, up, key: `${this.frameKey(f)}/${up ? up.key : ""}` };
  }

  private frameKey(f: Frame): string {
    switch (f.t) {
      case "val":
        return `V${f.node.id}`;
      case "lit":
        return `L${f.pos}:${f.text}`;
      case "str": {
        const far = f.len >= f.min && f.max - f.len > this.horizon;
        return `S${f.min},${f.max},${f.esc},${f.utf8},${far ? "*" : f.len}`;
      }
      case "pat": {
        // The length only matters within a token's reach of maxLength (counting the shortest way to finish).
        const far = f.max - f.len > this.horizon + f.a.maxToAccept;
        return `P${f.a.id},${f.s},${far ? "*" : f.len}`;
      }
      case "num":
        return `N${f.integer ? 1 : 0}${f.phase},${MAX_NUMBER_LENGTH - f.len > this.horizon ? "*" : f.len}`;
      case "obj":
        return `O${f.node.id},${f.phase},${f.next}`;
      case "fobj":
        return `F${f.values.id},${f.phase}`;
      case "arr": {
        // Only the distance to minItems / maxItems matters, and only within a token's reach of them.
        const { min, max } = f.node;
        const low = f.count >= min ? "+" : min - f.count > this.horizon ? "-" : f.count;
        const high = max - f.count > this.horizon ? "" : f.count;
        return `A${f.node.id},${f.phase},${low},${high}`;
      }
    }
  }

  private feed(stack: Stack, c: number, out: State): void {
    const f = stack.f;
    const up = stack.up;
    switch (f.t) {
      case "val":
        this.start(f.node, up, c, out, 0);
        return;
      case "lit":
        if (f.text.charCodeAt(f.pos) !== c) return;
        out.push(f.pos + 1 === f.text.length ? up : this.push({ ...f, pos: f.pos + 1 }, up));
        return;
      case "str":
        this.string(f, up, c, out);
        return;
      case "pat": {
        if (c === QUOTE) {
          if (f.a.toAccept[f.s] === 0) out.push(up);
          return;
        }
        if (!writable(c)) return;
        const s = stepPattern(f.a, f.s, c);
        // Only into states from which the string still ends by maxLength.
        if (s >= 0 && f.len + 1 + f.a.toAccept[s] <= f.max) out.push(this.push({ ...f, s, len: f.len + 1 }, up));
        return;
      }
      case "num":
        this.number(f, up, c, out);
        return;
      case "obj":
        if (c === 0x7d /* } */ && f.phase !== "comma" && !this.requiredLeft(f.node, f.next)) out.push(up);
        else if (c === 0x2c /* , */ && f.phase === "after" && f.next < f.node.props.length)
          out.push(this.push({ ...f, phase: "comma" }, up));
        else if (c === QUOTE && f.phase !== "after") this.keys(f, up, out);
        return;
      case "fobj":
        if (c === 0x7d && (f.phase === "open" || f.phase === "after")) out.push(up);
        else if (c === 0x2c && f.phase === "after") out.push(this.push({ ...f, phase: "comma" }, up));
        else if (c === 0x3a /* : */ && f.phase === "colon")
          out.push(this.push({ t: "val", node: f.values }, this.push({ ...f, phase: "after" }, up)));
        else if (c === QUOTE && (f.phase === "open" || f.phase === "comma"))
          out.push(
            this.push(
              { t: "str", min: 0, max: FREE_KEY_MAX, len: 0, esc: 0, utf8: 0 },
              this.push({ ...f, phase: "colon" }, up),
            ),
          );
        return;
      case "arr": {
        const { min, max, items } = f.node;
        if (c === 0x5d /* ] */ && f.phase !== "comma" && f.count >= min) out.push(up);
        else if (c === 0x2c && f.phase === "after" && f.count < max) out.push(this.push({ ...f, phase: "comma" }, up));
        else if (f.phase !== "after" && f.count < max)
          this.start(items, this.push({ ...f, count: f.count + 1, phase: "after" }, up), c, out, 0);
        return;
      }
    }
  }

  /** `c` as the first byte of a value of `node`; `up` is what follows the value. */
  private start(node: SchemaNode, up: Stack | null, c: number, out: State, depth: number): void {
    switch (node.kind) {
      case "literals":
        for (const value of node.values) {
          const text = latin1Bytes(value);
          if (text.charCodeAt(0) !== c) continue;
          out.push(text.length === 1 ? up : this.push({ t: "lit", text, pos: 1 }, up));
        }
        return;
      case "string":
        if (c === QUOTE) out.push(this.push({ t: "str", min: node.min, max: node.max, len: 0, esc: 0, utf8: 0 }, up));
        return;
      case "pattern":
        if (c === QUOTE)
          out.push(this.push({ t: "pat", a: node.automaton, s: node.automaton.initial, len: 0, max: node.max }, up));
        return;
      case "number":
        // A lower bound of 0 forbids the minus sign; an integer bound of 1 also a leading zero (schema.ts).
        if (c === 0x2d /* - */) {
          if (node.lower === "none") out.push(this.push({ t: "num", integer: node.integer, phase: 0, len: 1 }, up));
        } else if (isDigit(c) && !(c === 0x30 && node.lower === "positive"))
          out.push(this.push({ t: "num", integer: node.integer, phase: c === 0x30 ? 1 : 2, len: 1 }, up));
        return;
      case "object":
        if (c === 0x7b /* { */) out.push(this.push({ t: "obj", node, next: 0, phase: "open" }, up));
        return;
      case "freeObject":
        if (c === 0x7b) out.push(this.push({ t: "fobj", values: node.values, phase: "open" }, up));
        return;
      case "array":
        if (c === 0x5b /* [ */) out.push(this.push({ t: "arr", node, count: 0, phase: "open" }, up));
        return;
      case "anyOf":
        // A reference cycle that never reads a byte ({"$ref": "#"}) would recurse forever.
        if (depth < 32) for (const option of node.options) this.start(option, up, c, out, depth + 1);
        return;
      case "seq": {
        let top = up;
        for (let i = node.parts.length - 1; i >= 0; i--) {
          const part = node.parts[i];
          if (part === "") continue;
          top = this.push(
            typeof part === "string" ? { t: "lit", text: latin1Bytes(part), pos: 0 } : { t: "val", node: part },
            top,
          );
        }
        if (top !== up && top) this.feed(top, c, out);
        return;
      }
    }
  }

  /** Each property that may come next: its key (after the quote read), then its value, then the object again. */
  private keys(f: Extract<Frame, { t: "obj" }>, up: Stack | null, out: State): void {
    const props = f.node.props;
    for (let j = f.next; j < props.length; j++) {
      const rest = this.push({ t: "obj", node: f.node, next: j + 1, phase: "after" }, up);
      const value = this.push({ t: "val", node: props[j].node }, rest);
      out.push(this.push({ t: "lit", text: latin1Bytes(props[j].key), pos: 1 }, value));
      if (props[j].required) break;
    }
  }

  private requiredLeft(node: Extract<SchemaNode, { kind: "object" }>, from: number): boolean {
    for (let j = from; j < node.props.length; j++) if (node.props[j].required) return true;
    return false;
  }

  private string(f: Extract<Frame, { t: "str" }>, up: Stack | null, c: number, out: State): void {
    if (f.esc === 1) {
      if (ESCAPES.has(c)) out.push(this.push({ ...f, esc: 0 }, up));
      else if (c === 0x75 /* u */) out.push(this.push({ ...f, esc: 5 }, up));
      return;
    }
    if (f.esc > 1) {
      if (isHex(c)) out.push(this.push({ ...f, esc: f.esc === 2 ? 0 : f.esc - 1 }, up));
      return;
    }
    if (f.utf8 > 0) {
      // A continuation byte: part of the character already counted.
      const [lo, hi] = UTF8_RANGES[f.utf8 % 10];
      if (c >= lo && c <= hi)
        out.push(this.push({ ...f, utf8: f.utf8 >= 20 ? Math.floor(f.utf8 / 10) * 10 - 10 : 0 }, up));
      return;
    }
    if (c === QUOTE) {
      if (f.len >= f.min) out.push(up);
      return;
    }
    if (c < 0x20 || f.len >= f.max) return;
    if (c < 0x80) out.push(this.push({ ...f, len: f.len + 1, esc: c === BACKSLASH ? 1 : 0 }, up));
    else {
      const lead = utf8Lead(c);
      if (lead > 0) out.push(this.push({ ...f, len: f.len + 1, utf8: lead }, up));
    }
  }

  private number(f: Extract<Frame, { t: "num" }>, up: Stack | null, c: number, out: State): void {
    const next = f.len < (f.integer ? MAX_INTEGER_LENGTH : MAX_NUMBER_LENGTH) ? numberPhase(f.phase, c, f.integer) : -1;
    if (next >= 0) out.push(this.push({ ...f, phase: next, len: f.len + 1 }, up));
    // A number has no closing byte: where it may end, the byte may belong to what follows.
    else if (NUMBER_ENDS.has(f.phase) && up) this.feed(up, c, out);
  }
}

/** JSON's number grammar: 0 after '-', 1 a leading 0, 2 digits, 3 after '.', 4 fraction, 5 after e, 6 after sign, 7 exponent. */
function numberPhase(phase: number, c: number, integer: boolean): number {
  const digit = isDigit(c);
  const dot = c === 0x2e && !integer;
  const exp = (c === 0x65 || c === 0x45) && !integer;
  switch (phase) {
    case 0:
      return c === 0x30 ? 1 : digit ? 2 : -1;
    case 1:
      return dot ? 3 : exp ? 5 : -1;
    case 2:
      return digit ? 2 : dot ? 3 : exp ? 5 : -1;
    case 3:
      return digit ? 4 : -1;
    case 4:
      return digit ? 4 : exp ? 5 : -1;
    case 5:
      return c === 0x2b || c === 0x2d ? 6 : digit ? 7 : -1;
    default:
      return digit ? 7 : -1;
  }
}

function dedupe(state: State): State {
  if (state.length < 2) return state;
  const seen = new Set<string>();
  const out: State = [];
  for (const stack of state) {
    const key = stack ? stack.key : "$";
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(stack);
  }
  return out;
}

/** A state's identity for caching masks: its stacks' keys, in order-independent form. */
export function stateKey(state: State): string {
  return state
    .map((stack) => (stack ? stack.key : "$"))
    .sort()
    .join("|");
}
