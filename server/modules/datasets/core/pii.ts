// Masking examples with consistent placeholders; detection is in pii-detect.ts.
import { findPii } from "@/server/modules/guardrails/pii-detect";
import { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { CHAT_ROLES, type ChatRole, type DatasetExample, type ExampleSource, PII_KINDS, type PiiKind } from "./types";

export interface MaskOptions {
  /** Kinds to mask (default all). */
  kinds?: readonly PiiKind[];
  /** Roles whose content is masked (default all). */
  roles?: readonly ChatRole[];
}

export interface MaskedExample {
  example: DatasetExample;
  /** Occurrences masked, by kind. */
  counts: Partial<Record<PiiKind, number>>;
}

/**
 * Masks one example's message contents. Placeholders are `<KIND_n>`; n
 * counts distinct values per kind in order of first appearance (messages in
 * order, then position), restarting at 1 for every example, so the same
 * e-mail is `<EMAIL_1>` in every message of the example. Names, function
 * calls and metadata are not touched. Returns the example itself when
 * nothing was found.
 */
export function maskExample(example: DatasetExample, options: MaskOptions = {}): MaskedExample {
  const kinds = options.kinds ?? PII_KINDS;
  const roles = new Set<ChatRole>(options.roles ?? CHAT_ROLES);
  const placeholders = new PiiPlaceholders();
  const counts: Partial<Record<PiiKind, number>> = {};
  let changed = false;
  const messages = example.messages.map((message) => {
    if (!roles.has(message.role)) return message;
    const spans = findPii(message.content, kinds);
    if (spans.length === 0) return message;
    changed = true;
    for (const span of spans) counts[span.kind] = (counts[span.kind] ?? 0) + 1;
    return { ...message, content: placeholders.replace(message.content, spans) };
  });
  if (!changed) return { example, counts };
  return { example: { ...example, messages }, counts };
}

export interface MaskingReport {
  examples: number;
  /** Examples with at least one masked value. */
  examplesAffected: number;
  /** Masked occurrences by kind. */
  occurrences: Record<PiiKind, number>;
  /** Examples with at least one occurrence of the kind. */
  examplesByKind: Record<PiiKind, number>;
}

/** Masks examples one by one and keeps the report; `maskExamples` streams through one. */
export class PiiMasker {
  private readonly report_: MaskingReport = {
    examples: 0,
    examplesAffected: 0,
    occurrences: zeroes(),
    examplesByKind: zeroes(),
  };

  constructor(private readonly options: MaskOptions = {}) {}

  mask(example: DatasetExample): DatasetExample {
    const { example: masked, counts } = maskExample(example, this.options);
    this.report_.examples++;
    let affected = false;
    for (const kind of PII_KINDS) {
      const n = counts[kind];
      if (!n) continue;
      affected = true;
      this.report_.occurrences[kind] += n;
      this.report_.examplesByKind[kind]++;
    }
    if (affected) this.report_.examplesAffected++;
    return masked;
  }

  report(): MaskingReport {
    return {
      ...this.report_,
      occurrences: { ...this.report_.occurrences },
      examplesByKind: { ...this.report_.examplesByKind },
    };
  }
}

/** Streams masked examples; read `masker.report()` when the stream is done. */
export async function* maskExamples<T extends DatasetExample>(
  source: ExampleSource<T>,
  masker: PiiMasker,
): AsyncGenerator<T> {
  for await (const example of source) yield masker.mask(example) as T;
}

function zeroes(): Record<PiiKind, number> {
  return Object.fromEntries(PII_KINDS.map((k) => [k, 0])) as Record<PiiKind, number>;
}
