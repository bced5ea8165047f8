/**
 * The JSON path subset the `json_path` evaluator reads: `$`, then `.name`, `['any key']` / `["any key"]` and
 * `[n]` (an index; `[-1]` is the last item). No wildcards, filters or script expressions: those are where
 * JSONPath libraries have evaluated caller input as code (jsonpath-plus's `eval`), and a path picking one value
 * needs none of them. Pure and browser-safe: the console checks a path as it is typed.
 */

export type PathSegment = { kind: "key"; key: string } | { kind: "index"; index: number };

const MAX_PATH_CHARS = 500;
const MAX_SEGMENTS = 50;
const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/** Parses a path; throws an Error whose message says what is wrong and where (1-based character). */
export function parseJsonPath(path: string): PathSegment[] {
  if (path.length > MAX_PATH_CHARS) throw new Error(`A path has at most ${MAX_PATH_CHARS} characters`);
  if (!path.startsWith("$")) throw new Error("A path starts with $ (e.g. $.answer or $.items[0].name)");
  const segments: PathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    if (segments.length >= MAX_SEGMENTS) throw new Error(`A path has at most ${MAX_SEGMENTS} steps`);
    const rest = path.slice(at);
    if (rest.startsWith(".")) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new Error(`character ${at + 2}: expected a name after '.' (use ['…'] for other keys)`);
      segments.push({ kind: "key", key: name[0] });
      at += 1 + name[0].length;
      continue;
    }
    const index = /^\[(-?\d{1,9})\]/.exec(rest);
    if (index) {
      segments.push({ kind: "index", index: Number(index[1]) });
      at += index[0].length;
      continue;
    }
    const quoted = /^\[(['"])((?:\\.|(?!\1)[^\\])*)\1\]/.exec(rest);
    if (quoted) {
      segments.push({ kind: "key", key: quoted[2].replace(/\\(.)/g, "$1") });
      at += quoted[0].length;
      continue;
    }
    throw new Error(
      `character ${at + 1}: expected .name, ['key'] or [index] (wildcards and filters are not supported)`,
    );
  }
  return segments;
}

/** The value at `path` in `value`, or `{ found: false }` naming the first step that is missing. */
export function readJsonPath(
  value: unknown,
  segments: PathSegment[],
): { found: true; value: unknown } | { found: false; missing: string } {
  let current = value;
  let walked = "$";
  for (const segment of segments) {
    if (segment.kind === "key") {
      walked += /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment.key)
        ? `.${segment.key}`
        : `[${JSON.stringify(segment.key)}]`;
      if (
        typeof current !== "object" ||
        current === null ||
        Array.isArray(current) ||
        !Object.hasOwn(current, segment.key)
      )
        return { found: false, missing: walked };
      current = (current as Record<string, unknown>)[segment.key];
    } else {
      walked += `[${segment.index}]`;
      if (!Array.isArray(current)) return { found: false, missing: walked };
      const i = segment.index < 0 ? current.length + segment.index : segment.index;
      if (i < 0 || i >= current.length) return { found: false, missing: walked };
      current = current[i];
    }
  }
  return { found: true, value: current };
}
