import { type CharSet, DFA, JS, NFA, type NoParent, type Node as RefaNode, TooManyNodesError } from "refa";

/**
 * A string's `pattern` and `format` as a deterministic automaton over the characters the grammar writes inside
 * them: printable ASCII without `"` and `\` (no escapes, no multi-byte characters), so one byte is one character
 * and the recognizer steps it in constant time (linear in the output, whatever the pattern). Built with refa
 * (regex → NFA → minimal DFA), then cut to that alphabet and to the states that can still reach an accepting one,
 * so the grammar never walks into a string it cannot finish.
 *
 * Sound, not complete: a pattern is matched as a whole (`abc` only as "abc", which JSON Schema's search
 * semantics also accepts); lookarounds and inner anchors remove the paths through them; a pattern whose only
 * matches need other characters has no string left and is refused.
 */
export interface PatternAutomaton {
  /** Unique, for recognizer state keys. */
  id: number;
  initial: number;
  /** `next[state * WIDTH + (c - FIRST)]`: the next state for a character, or -1. */
  next: Int32Array;
  /** Fewest characters from a state to an accepting one (0: accepting). */
  toAccept: Int32Array;
  /** The largest finite `toAccept`: beyond that distance from maxLength, the length cannot bind yet. */
  maxToAccept: number;
}

const FIRST = 0x20;
const LAST = 0x7e;
const WIDTH = LAST - FIRST + 1;
/** Characters the grammar may write inside a patterned string. */
export const writable = (c: number) => c >= FIRST && c <= LAST && c !== 0x22 && c !== 0x5c;

/** Bounds on the work one pattern may cost (a request must not stall the event loop). */
const MAX_NFA_NODES = 20_000;
const MAX_DFA_NODES = 5_000;
const MAX_STATES = 20_000;

/**
 * Formats as patterns over that alphabet, each a subset of what ajv-formats (full mode) and zod accept, so the
 * output passes both. Lowercase where a format allows either case.
 */
const DATE =
  "(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))";
const TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,6})?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)";
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?";
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)";
export const FORMATS: Record<string, string> = {
  "date-time": `${DATE}T${TIME}`,
  date: DATE,
  time: TIME,
  email: `[a-z0-9_+-]+(?:\\.[a-z0-9_+-]+)*@(?:${LABEL}\\.)+[a-z]{2,6}`,
  hostname: `${LABEL}(?:\\.${LABEL}){0,4}`,
  ipv4: `${OCTET}(?:\\.${OCTET}){3}`,
  uuid: "[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
  uri: `https?://${LABEL}(?:\\.${LABEL}){0,4}(?:/[A-Za-z0-9._~-]{0,40}){0,8}`,
  duration: "P(?:\\d{1,4}Y)?(?:\\d{1,4}M)?\\d{1,4}D|PT\\d{1,4}H(?:\\d{1,4}M)?(?:\\d{1,4}S)?|PT\\d{1,4}M|PT\\d{1,4}S",
};

let nextId = 0;

/** A state table: -1 where there is no transition; `final` per state. */
interface Table {
  initial: number;
  next: Int32Array;
  final: Uint8Array;
}

type Element = NoParent<RefaNode>;

/** `^` as refa writes it: a negative lookbehind of any character (and `$` the lookahead). */
function isAnchor(element: Element, kind: "behind" | "ahead"): boolean {
  if (element.type !== "Assertion" || element.kind !== kind || !element.negate) return false;
  const [only] = element.alternatives;
  const [char] = only?.elements ?? [];
  return element.alternatives.length === 1 && only.elements.length === 1 && char?.type === "CharacterClass"
    ? (char.characters as CharSet).isAll
    : false;
}

/**
 * The pattern's language as a whole-string match: each top-level alternative loses a leading `^` and a
 * trailing `$` (which a whole match satisfies); every other assertion is replaced by the empty set.
 */
function wholeMatch(expression: NoParent<RefaNode> & { type: "Expression" }): void {
  for (const alternative of expression.alternatives) {
    while (alternative.elements[0] && isAnchor(alternative.elements[0], "behind")) alternative.elements.shift();
    while (alternative.elements.length && isAnchor(alternative.elements[alternative.elements.length - 1], "ahead"))
      alternative.elements.pop();
  }
  const empty = (node: { alternatives: { elements: Element[] }[] }) => {
    for (const alternative of node.alternatives) {
      alternative.elements = alternative.elements.map((element) => {
        if (element.type === "Assertion") return { type: "Alternation", alternatives: [] } as unknown as Element;
        if (element.type === "Alternation" || element.type === "Quantifier") empty(element);
        return element;
      });
    }
  };
  empty(expression);
}

/** The DFA of one regex source as a table over the writable alphabet; a string saying why it cannot be built. */
function tableOf(source: string): Table | string {
  let dfa: DFA;
  try {
    const parsed = JS.Parser.fromLiteral({ source, flags: "u" }).parse({
      assertions: "parse",
      backreferences: "throw",
      maxNodes: MAX_NFA_NODES,
      simplify: false,
    });
    wholeMatch(parsed.expression);
    const nfa = NFA.fromRegex(
      parsed.expression,
      { maxCharacter: parsed.maxCharacter },
      {},
      new NFA.LimitedNodeFactory(MAX_NFA_NODES),
    );
    dfa = DFA.fromFA(nfa, new DFA.LimitedNodeFactory(MAX_DFA_NODES));
    dfa.minimize();
  } catch (error) {
    if (error instanceof TooManyNodesError) return "the pattern is too complex for local models";
    return `the pattern cannot be used: ${(error as Error).message}`;
  }
  const index = new Map<DFA.ReadonlyNode, number>();
  for (const node of dfa.nodes()) index.set(node, index.size);
  const next = new Int32Array(index.size * WIDTH).fill(-1);
  const final = new Uint8Array(index.size);
  for (const [node, i] of index) {
    if (dfa.finals.has(node as DFA.Node)) final[i] = 1;
    for (let c = FIRST; c <= LAST; c++) {
      if (!writable(c)) continue;
      const to = node.out.get(c);
      if (to) next[i * WIDTH + c - FIRST] = index.get(to) ?? -1;
    }
  }
  return { initial: index.get(dfa.initial) ?? 0, next, final };
}

/** Pairs of states reachable in both tables (the intersection), optionally with a length counter up to `min`. */
function product(tables: Table[], min: number): Table | string {
  const ids = new Map<string, number>();
  const tuples: number[][] = [];
  const id = (tuple: number[]) => {
    const key = tuple.join(",");
    let found = ids.get(key);
    if (found === undefined) {
      found = tuples.length;
      ids.set(key, found);
      tuples.push(tuple);
    }
    return found;
  };
  id([...tables.map((t) => t.initial), 0]);
  const edges: number[] = [];
  for (let s = 0; s < tuples.length; s++) {
    if (tuples.length > MAX_STATES) return "the pattern is too complex for local models";
    const tuple = tuples[s];
    for (let c = FIRST; c <= LAST; c++) {
      const to = tables.map((t, k) => (writable(c) ? t.next[tuple[k] * WIDTH + c - FIRST] : -1));
      edges.push(to.some((x) => x < 0) ? -1 : id([...to, Math.min(tuple[tables.length] + 1, min)]));
    }
  }
  const next = Int32Array.from(edges);
  const final = Uint8Array.from(tuples, (t) =>
    tables.every((table, k) => table.final[t[k]]) && t[tables.length] >= min ? 1 : 0,
  );
  return { initial: 0, next, final };
}

/** Fewest characters to an accepting state, by a backward breadth-first search; -1 where none is reachable. */
function distances(table: Table): Int32Array {
  const states = table.final.length;
  const into: number[][] = Array.from({ length: states }, () => []);
  for (let s = 0; s < states; s++)
    for (let k = 0; k < WIDTH; k++) {
      const to = table.next[s * WIDTH + k];
      if (to >= 0) into[to].push(s);
    }
  const distance = new Int32Array(states).fill(-1);
  const queue: number[] = [];
  for (let s = 0; s < states; s++)
    if (table.final[s]) {
      distance[s] = 0;
      queue.push(s);
    }
  for (let i = 0; i < queue.length; i++)
    for (const from of into[queue[i]])
      if (distance[from] < 0) {
        distance[from] = distance[queue[i]] + 1;
        queue.push(from);
      }
  return distance;
}

/**
 * The automaton for a string that must match every source in `sources` (a pattern, a format's pattern) and be
 * at least `min` characters; a string saying why not (the caller makes it a 400 naming the schema path).
 */
export function compilePatterns(sources: string[], min: number, max: number): PatternAutomaton | string {
  const key = JSON.stringify([sources, min, max]);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const made = build(sources, min, max);
  if (compiled.size >= 256) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, made);
  return made;
}

/** The same schemas come back request after request (a client's response_format): built once each. */
const compiled = new Map<string, PatternAutomaton | string>();

function build(sources: string[], min: number, max: number): PatternAutomaton | string {
  const tables: Table[] = [];
  for (const source of sources) {
    const table = tableOf(source);
    if (typeof table === "string") return table;
    tables.push(table);
  }
  const joined = product(tables, min);
  if (typeof joined === "string") return joined;
  const toAccept = distances(joined);
  if (toAccept[joined.initial] < 0 || toAccept[joined.initial] > max)
    return `no string of ${min} to ${max} printable ASCII characters matches it`;
  // Transitions into states that cannot finish are cut: the grammar never starts what it cannot end.
  const next = joined.next.map((to) => (to >= 0 && toAccept[to] >= 0 ? to : -1));
  let maxToAccept = 0;
  for (const d of toAccept) maxToAccept = Math.max(maxToAccept, d);
  return { id: nextId++, initial: joined.initial, next, toAccept, maxToAccept };
}

/** The next state after character `c`, or -1. */
export function stepPattern(a: PatternAutomaton, state: number, c: number): number {
  return c >= FIRST && c <= LAST ? a.next[state * WIDTH + c - FIRST] : -1;
}
