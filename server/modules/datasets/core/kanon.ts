import { canonicalJson } from "./canonical";
import type { DatasetExample, ExampleSource } from "./types";

interface KAnonymityGroup {
  /** The quasi-identifier values of the group, by field (`null` where the example lacks the field). */
  values: Record<string, unknown>;
  count: number;
}

export interface KAnonymityReport {
  fields: string[];
  examples: number;
  groups: number;
  /** The dataset's k: the size of its smallest group (0 when there are no examples). */
  k: number;
  /** The k the report was asked about. */
  targetK: number;
  /** Groups smaller than `targetK`, and the examples in them. */
  groupsBelowK: number;
  examplesBelowK: number;
  /** Those groups, smallest first (ties in first-seen order), at most `limit` of them. */
  below: KAnonymityGroup[];
  /** True when `below` was cut at `limit`. */
  truncated: boolean;
}

/**
 * k-anonymity over metadata fields (the quasi-identifiers): examples are
 * grouped by the tuple of their values; the dataset is k-anonymous when
 * every group has at least k examples. Fields are dotted paths into
 * `metadata` (`user.country`); a missing field or metadata counts as `null`,
 * itself a value. Values compare by canonical JSON, so `{"a":1,"b":2}` and
 * `{"b":2,"a":1}` are the same. Memory: one map entry per distinct tuple.
 */
export class KAnonymityCounter {
  private readonly groups = new Map<string, { values: unknown[]; count: number }>();
  private examples = 0;
  private readonly paths: string[][];

  constructor(readonly fields: readonly string[]) {
    this.paths = fields.map((f) => f.split("."));
  }

  add(example: DatasetExample): void {
    this.examples++;
    const values = this.paths.map((path) => lookup(example.metadata, path));
    const key = canonicalJson(values);
    const group = this.groups.get(key);
    if (group) group.count++;
    else this.groups.set(key, { values, count: 1 });
  }

  report(targetK: number, limit = 100): KAnonymityReport {
    let k = Number.POSITIVE_INFINITY;
    const below: KAnonymityGroup[] = [];
    let examplesBelowK = 0;
    for (const group of this.groups.values()) {
      if (group.count < k) k = group.count;
      if (group.count < targetK) {
        examplesBelowK += group.count;
        below.push({ values: Object.fromEntries(this.fields.map((f, i) => [f, group.values[i]])), count: group.count });
      }
    }
    below.sort((a, b) => a.count - b.count);
    return {
      fields: [...this.fields],
      examples: this.examples,
      groups: this.groups.size,
      k: this.groups.size === 0 ? 0 : k,
      targetK,
      groupsBelowK: below.length,
      examplesBelowK,
      below: below.slice(0, limit),
      truncated: below.length > limit,
    };
  }
}

/** One-shot k-anonymity report over a stream of examples. */
export async function kAnonymity(
  examples: ExampleSource<DatasetExample>,
  fields: readonly string[],
  targetK: number,
  limit = 100,
): Promise<KAnonymityReport> {
  const counter = new KAnonymityCounter(fields);
  for await (const example of examples) counter.add(example);
  return counter.report(targetK, limit);
}

function lookup(metadata: Record<string, unknown> | undefined, path: string[]): unknown {
  let current: unknown = metadata;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return null;
    if (!Object.hasOwn(current, key)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? null : current;
}
