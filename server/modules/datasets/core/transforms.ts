import { createHash } from "node:crypto";
import type { RE2JS } from "re2js";
import { compileUserPattern, userPatternProblem } from "@/lib/regex";
import { DomainError } from "@/server/errors";
import { type CountTokens, countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import { exampleHash } from "./canonical";
import { HashPrefixSet } from "./hashset";
import type { ChatRole, DatasetExample, ExampleSource } from "./types";

/**
 * An example as the transforms take it. `hash`, when present, must be
 * `exampleHash(example)` (a stored column, say); it saves recomputing it.
 */
export type HashedExample = DatasetExample & { hash?: string };

function hashOf(example: HashedExample): string {
  return example.hash ?? exampleHash(example);
}

// ------------------------------------------------------------------ dedupe

/** Exact deduplication by example hash (training content; metadata ignored). First occurrence wins. */
export class Deduplicator {
  private readonly seen = new HashPrefixSet();
  kept = 0;
  dropped = 0;

  /** True the first time this training content is seen. */
  isFirst(example: HashedExample): boolean {
    const first = this.seen.addHex(hashOf(example));
    if (first) this.kept++;
    else this.dropped++;
    return first;
  }
}

export async function* dedupeExamples<T extends HashedExample>(
  source: ExampleSource<T>,
  dedupe: Deduplicator = new Deduplicator(),
): AsyncGenerator<T> {
  for await (const example of source) if (dedupe.isFirst(example)) yield example;
}

// ------------------------------------------------------------------ filter

/** A regular expression over message content; `roles` limits which messages it looks at (default all). */
interface ContentPattern {
  pattern: string;
  /** Any of `i`, `m`, `s`, `u` (`g` and `y` are stateful and refused). */
  flags?: string;
  roles?: ChatRole[];
}

export interface FilterCriteria {
  /** Keep examples with at least this many tokens (cookbook count). */
  minTokens?: number;
  /** Keep examples with at most this many tokens. */
  maxTokens?: number;
  /** Every one of these roles must appear. */
  requireRoles?: ChatRole[];
  /** None of these roles may appear. */
  forbidRoles?: ChatRole[];
  /** Keep only examples where at least one pattern matches some message content. */
  include?: ContentPattern[];
  /** Drop examples where any pattern matches some message content. */
  exclude?: ContentPattern[];
}

export type FilterReason =
  | "too_few_tokens"
  | "too_many_tokens"
  | "missing_role"
  | "forbidden_role"
  | "no_include_match"
  | "excluded_by_pattern";

const MAX_PATTERN_LENGTH = 1000;

interface CompiledPattern {
  regex: RE2JS;
  roles?: ReadonlySet<ChatRole>;
}

function compilePatterns(patterns: ContentPattern[] | undefined, field: string): CompiledPattern[] {
  return (patterns ?? []).map((p, i) => {
    const path = `${field}.${i}.pattern`;
    if (p.pattern.length > MAX_PATTERN_LENGTH) {
      throw new DomainError("VALIDATION", `${path}: longer than ${MAX_PATTERN_LENGTH} characters`, [
        { path, message: "pattern too long" },
      ]);
    }
    const flags = p.flags ?? "";
    if (!/^[imsu]*$/.test(flags)) {
      throw new DomainError("VALIDATION", `${field}.${i}.flags: only i, m, s and u are allowed`, [
        { path: `${field}.${i}.flags`, message: "only i, m, s and u are allowed" },
      ]);
    }
    const message = userPatternProblem(p.pattern, flags);
    if (message) throw new DomainError("VALIDATION", `${path}: ${message}`, [{ path, message }]);
    return { regex: compileUserPattern(p.pattern, flags), roles: p.roles ? new Set(p.roles) : undefined };
  });
}

function matchesAny(example: DatasetExample, patterns: CompiledPattern[]): boolean {
  for (const { regex, roles } of patterns) {
    for (const m of example.messages) if ((!roles || roles.has(m.role)) && regex.test(m.content)) return true;
  }
  return false;
}

/**
 * A compiled filter with counts. `test` returns null to keep an example,
 * else the first reason to drop it (checked in the order of
 * {@link FilterReason}). Throws DomainError("VALIDATION") for a bad pattern.
 * Patterns run in RE2 (lib/regex.ts: linear time, no backreferences or
 * lookaround), so no pattern can hold the process; the length is capped too.
 */
export class ExampleFilter {
  private readonly include: CompiledPattern[];
  private readonly exclude: CompiledPattern[];
  private readonly countTokens: CountTokens;
  kept = 0;
  readonly dropped: Record<FilterReason, number> = {
    too_few_tokens: 0,
    too_many_tokens: 0,
    missing_role: 0,
    forbidden_role: 0,
    no_include_match: 0,
    excluded_by_pattern: 0,
  };

  constructor(
    private readonly criteria: FilterCriteria,
    options: { countTokens?: CountTokens } = {},
  ) {
    this.include = compilePatterns(criteria.include, "include");
    this.exclude = compilePatterns(criteria.exclude, "exclude");
    this.countTokens = options.countTokens ?? roughTokenCount;
  }

  /** Null to keep; else why the example is dropped. `tokens` saves recounting when known. */
  test(example: DatasetExample, tokens?: number): FilterReason | null {
    const reason = this.reason(example, tokens);
    if (reason === null) this.kept++;
    else this.dropped[reason]++;
    return reason;
  }

  private reason(example: DatasetExample, known?: number): FilterReason | null {
    const { minTokens, maxTokens, requireRoles, forbidRoles } = this.criteria;
    if (minTokens !== undefined || maxTokens !== undefined) {
      const tokens = known ?? countExampleTokens(example.messages, this.countTokens);
      if (minTokens !== undefined && tokens < minTokens) return "too_few_tokens";
      if (maxTokens !== undefined && tokens > maxTokens) return "too_many_tokens";
    }
    if (requireRoles?.some((role) => !example.messages.some((m) => m.role === role))) return "missing_role";
    if (forbidRoles?.some((role) => example.messages.some((m) => m.role === role))) return "forbidden_role";
    if (this.include.length > 0 && !matchesAny(example, this.include)) return "no_include_match";
    if (this.exclude.length > 0 && matchesAny(example, this.exclude)) return "excluded_by_pattern";
    return null;
  }
}

export async function* filterExamples<T extends DatasetExample>(
  source: ExampleSource<T>,
  filter: ExampleFilter,
): AsyncGenerator<T> {
  for await (const example of source) if (filter.test(example) === null) yield example;
}

// ------------------------------------------------------------------ split

export type SplitName = "train" | "validation";

export interface SplitOptions {
  /** Share of examples in `train`, strictly between 0 and 1 (e.g. 0.9). */
  ratio: number;
  /** Changes the assignment wholesale; keep it per dataset to reproduce a split (default ""). */
  salt?: string;
}

/**
 * The example's point in [0, 1): the first 48 bits of
 * sha256(`${salt}:${exampleHash}`) / 2⁴⁸. Depends on the training content
 * and the salt only, so it is the same on every run, in any order, and
 * duplicates land on the same side (no train/validation leakage).
 */
export function splitPoint(hash: string, salt = ""): number {
  const digest = createHash("sha256").update(`${salt}:${hash}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** `train` when the example's split point is below the ratio, else `validation`. */
export function assignSplit(example: HashedExample, options: SplitOptions): SplitName {
  checkRatio(options.ratio);
  return splitPoint(hashOf(example), options.salt) < options.ratio ? "train" : "validation";
}

function checkRatio(ratio: number): void {
  if (!(ratio > 0 && ratio < 1)) {
    throw new DomainError("VALIDATION", `split ratio must be between 0 and 1 exclusive, got ${ratio}`, [
      { path: "ratio", message: "must be between 0 and 1 exclusive" },
    ]);
  }
}

export async function* splitExamples<T extends HashedExample>(
  source: ExampleSource<T>,
  options: SplitOptions,
): AsyncGenerator<{ split: SplitName; example: T }> {
  checkRatio(options.ratio);
  for await (const example of source) yield { split: assignSplit(example, options), example };
}

// ------------------------------------------------------------------ merge

/**
 * Concatenates sources in order. With `dedupe`, an example whose training
 * content appeared earlier (in any source) is dropped; pass a Deduplicator to
 * read the counts afterwards.
 */
export async function* mergeExamples<T extends HashedExample>(
  sources: readonly ExampleSource<T>[],
  options: { dedupe?: boolean | Deduplicator } = {},
): AsyncGenerator<T> {
  const dedupe =
    options.dedupe instanceof Deduplicator ? options.dedupe : options.dedupe ? new Deduplicator() : undefined;
  for (const source of sources) {
    for await (const example of source) if (!dedupe || dedupe.isFirst(example)) yield example;
  }
}
