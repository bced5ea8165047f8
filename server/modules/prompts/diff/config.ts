import type { z } from "zod";

/** A stored config's values are JSON (jsonb). */
type JsonValue = z.infer<ReturnType<typeof z.json>>;

/** A key-level change between two configs (model, parameters, response schema, …). */
export interface ConfigChange {
  /** Key path from the config root, e.g. ["params", "temperature"]. */
  path: (string | number)[];
  /** The path for display: `params.temperature`, `responseSchema.required`. */
  key: string;
  change: "added" | "removed" | "changed";
  oldValue?: JsonValue;
  newValue?: JsonValue;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Structural equality for JSON values (key order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function displayKey(path: (string | number)[]): string {
  return path
    .map((part, i) =>
      typeof part === "number"
        ? `[${part}]`
        : /^[A-Za-z_$][\w$-]*$/.test(part)
          ? i
            ? `.${part}`
            : part
          : `[${JSON.stringify(part)}]`,
    )
    .join("");
}

/**
 * Deep, key-level differences: objects are compared key by key (recursively), anything else (numbers,
 * strings, arrays such as `stop` or a schema's `required`) as one value. Keys in sorted order.
 */
export function diffConfig(before: unknown, after: unknown): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const walk = (a: unknown, b: unknown, path: (string | number)[]) => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) {
        const inA = Object.hasOwn(a, key) && a[key] !== undefined;
        const inB = Object.hasOwn(b, key) && b[key] !== undefined;
        const next = [...path, key];
        if (inA && !inB)
          changes.push({ path: next, key: displayKey(next), change: "removed", oldValue: a[key] as JsonValue });
        else if (!inA && inB)
          changes.push({ path: next, key: displayKey(next), change: "added", newValue: b[key] as JsonValue });
        else if (inA && inB) walk(a[key], b[key], next);
      }
      return;
    }
    if (!jsonEqual(a, b))
      changes.push({
        path,
        key: displayKey(path),
        change: "changed",
        oldValue: a as JsonValue,
        newValue: b as JsonValue,
      });
  };
  walk(before ?? {}, after ?? {}, []);
  return changes;
}

/** Pretty JSON with sorted keys: a stable text form of a config for line diffs. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isPlainObject(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort(v[k])]),
      );
    return v;
  };
  return `${JSON.stringify(sort(value ?? {}), null, 2)}\n`;
}
