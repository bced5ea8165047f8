/**
 * The values inside a JSON text (tool-call arguments are one), with their places in it, so a guard or a masker
 * can replace a value and the text stays valid JSON with everything else byte for byte as it was (key order,
 * spacing, the precision of numbers a JSON.parse round trip would lose).
 */

/** A string or number value of a JSON text: `[start, end)` is its token (quotes included), `value` its text. */
export interface JsonLeaf {
  start: number;
  end: number;
  /** A string's decoded value, or a number as written. */
  value: string;
  /** The last key seen before it (context for detectors such as `password: …`), or null. */
  key: string | null;
}

const isDigitOrMinus = (c: number) => c === 45 || (c >= 48 && c <= 57);
const inNumber = (c: number) => (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 69 || c === 101;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** The string and number values of `text` (not its keys, booleans or nulls), in order; null when it is not JSON. */
export function jsonLeaves(text: string): JsonLeaf[] | null {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  const leaves: JsonLeaf[] = [];
  let key: string | null = null;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(j); d !== 34; d = text.charCodeAt(j)) {
        if (d === 92) {
          escaped = true;
          j += 2;
        } else j++;
      }
      const end = j + 1;
      const value = escaped ? (JSON.parse(text.slice(i, end)) as string) : text.slice(i + 1, j);
      let k = end;
      while (isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) === 58) key = value;
      else leaves.push({ start: i, end, value, key });
      i = end;
    } else if (isDigitOrMinus(c)) {
      let j = i + 1;
      while (j < text.length && inNumber(text.charCodeAt(j))) j++;
      leaves.push({ start: i, end: j, value: text.slice(i, j), key });
      i = j;
    } else i++;
  }
  return leaves;
}

/**
 * `text` with each leaf whose value changed (`values[i]` against `leaves[i].value`) replaced by the new value as
 * a JSON string: a masked number becomes a string (`<PHONE_1>` is no number), everything else stays as written.
 */
export function replaceLeaves(text: string, leaves: readonly JsonLeaf[], values: readonly string[]): string {
  let out = "";
  let at = 0;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (values[i] === leaf.value) continue;
    out += text.slice(at, leaf.start) + JSON.stringify(values[i]);
    at = leaf.end;
  }
  return at === 0 ? text : out + text.slice(at);
}
