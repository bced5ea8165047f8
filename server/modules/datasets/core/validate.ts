import { type CountTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import { DEFAULT_MAX_TOKENS_PER_EXAMPLE, type RecordOptions, shapeOf, validateRecord } from "./formats";
import { type DatasetIssue, issue } from "./issues";
import { type ByteSource, type ReadLinesOptions, readJsonlLines, type TextLine } from "./lines";
import type { DatasetExample, DatasetFormat } from "./types";

export interface ValidateOptions {
  /** `auto` (default) detects the format from the first lines; or force one. */
  format?: DatasetFormat | "auto";
  /** How many lines with a recognisable shape decide the format in `auto` mode (default 10, majority wins). */
  detectionLines?: number;
  /** Token counter for `too_many_tokens` and the statistics (default {@link roughTokenCount}). */
  countTokens?: CountTokens;
  /** Default 16385 (OpenAI's per-example training cap). */
  maxTokensPerExample?: number;
  /** `error` (default) rejects examples over the limit; `warning` keeps them. */
  tooManyTokens?: "error" | "warning";
}

/** One line after validation. `example` is set exactly when `errors` is empty and the line is not empty. */
export interface ValidatedLine {
  line: number;
  example?: DatasetExample;
  /** Tokens of the example (cookbook formula, see tokens.ts); set with `example`. */
  tokens?: number;
  /** Tokens of its assistant messages' content; set with `example`. */
  assistantTokens?: number;
  errors: DatasetIssue[];
  warnings: DatasetIssue[];
}

interface Pending {
  line: TextLine;
  value?: unknown;
  /** Settled before the format is known (bad bytes, bad JSON, empty). */
  settled?: ValidatedLine;
}

const DETECTION_MAX_PENDING_LINES = 10_000;
const DETECTION_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/**
 * Turns text lines into validated examples, in order. Push-style and
 * synchronous so it can sit behind any reader. In `auto` mode the first
 * lines are held (at most `detectionLines` recognisable ones, 10,000 lines or
 * 16 MiB) until the format is decided, then released in order.
 */
export class JsonlValidator {
  private decided: DatasetFormat | undefined;
  private readonly detectionLines: number;
  private readonly record: RecordOptions;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private votes = { chat: 0, completion: 0 };
  private firstVote: DatasetFormat | undefined;

  constructor(options: ValidateOptions = {}) {
    this.decided = options.format === "auto" ? undefined : options.format;
    this.detectionLines = Math.max(1, options.detectionLines ?? 10);
    this.record = {
      countTokens: options.countTokens ?? roughTokenCount,
      maxTokensPerExample: options.maxTokensPerExample ?? DEFAULT_MAX_TOKENS_PER_EXAMPLE,
      tooManyTokens: options.tooManyTokens ?? "error",
    };
  }

  /** The dataset's format once decided (immediately when forced). */
  get format(): DatasetFormat | undefined {
    return this.decided;
  }

  push(line: TextLine): ValidatedLine[] {
    if (line.text === undefined) return this.emit({ line, settled: passThrough(line) });
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      const found = issue(line.line, "invalid_json", `invalid JSON: ${(error as Error).message}`);
      return this.emit({ line, settled: { ...passThrough(line), errors: [...line.errors, found] } });
    }
    // NUL and unpaired surrogates can only arrive as \u escapes (raw bytes fail UTF-8 or JSON first), so
    // lines without one skip the walk.
    const unstorable = line.text.includes("\\u") ? findUnstorableString(value) : undefined;
    if (unstorable) {
      const found = unstorableIssue(line.line, unstorable);
      return this.emit({ line, settled: { ...passThrough(line), errors: [...line.errors, found] } });
    }
    return this.emit({ line, value });
  }

  /** Releases what detection still holds; call once after the last line. */
  end(): ValidatedLine[] {
    if (this.decided === undefined) this.decide();
    return this.release();
  }

  private emit(entry: Pending): ValidatedLine[] {
    if (this.decided !== undefined) return [this.settle(entry)];
    this.pending.push(entry);
    this.pendingBytes += entry.line.byteLength;
    const shape = entry.value === undefined ? undefined : shapeOf(entry.value);
    if (shape) {
      this.votes[shape]++;
      this.firstVote ??= shape;
    }
    const seen = this.votes.chat + this.votes.completion;
    if (
      seen >= this.detectionLines ||
      this.pending.length >= DETECTION_MAX_PENDING_LINES ||
      this.pendingBytes >= DETECTION_MAX_PENDING_BYTES
    ) {
      this.decide();
      return this.release();
    }
    return [];
  }

  private decide(): void {
    const { chat, completion } = this.votes;
    this.decided = chat > completion ? "chat" : completion > chat ? "completion" : (this.firstVote ?? "chat");
  }

  private release(): ValidatedLine[] {
    const out = this.pending.map((entry) => this.settle(entry));
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  private settle(entry: Pending): ValidatedLine {
    if (entry.settled) return entry.settled;
    const format = this.decided ?? "chat";
    const { line } = entry;
    const result = validateRecord(entry.value, format, line.line, this.record);
    const out: ValidatedLine = {
      line: line.line,
      errors: line.errors.length > 0 ? [...line.errors, ...result.errors] : result.errors,
      warnings: line.warnings.length > 0 ? [...line.warnings, ...result.warnings] : result.warnings,
    };
    if (result.example && out.errors.length === 0) {
      out.example = result.example;
      out.tokens = result.tokens;
      out.assistantTokens = result.assistantTokens;
    }
    return out;
  }
}

interface Unstorable {
  kind: "nul" | "surrogate";
  /** JSON path of the string (or key) holding it: `messages[0].content`, `metadata.note`. */
  path: string;
  key: boolean;
}

/**
 * The first string or object key PostgreSQL would refuse: `text` and `jsonb`
 * cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8 form. Checked
 * here so such a line is a line error, not a failed database write.
 */
function findUnstorableString(value: unknown, path = ""): Unstorable | undefined {
  if (typeof value === "string") {
    const kind = unstorableKind(value);
    return kind ? { kind, path, key: false } : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableString(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const kind = unstorableKind(key);
    if (kind) return { kind, path: at, key: true };
    const found = findUnstorableString(item, at);
    if (found) return found;
  }
  return undefined;
}

function unstorableKind(text: string): Unstorable["kind"] | undefined {
  if (text.includes("\0")) return "nul";
  // String.prototype.isWellFormed (Node 20) is false exactly when a surrogate is unpaired.
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return "surrogate";
  return undefined;
}

function unstorableIssue(line: number, found: Unstorable): DatasetIssue {
  const where = `${found.path || "the value"}${found.key ? " (a key)" : ""}`;
  return found.kind === "nul"
    ? issue(line, "nul_character", `${where} holds a NUL character (\\u0000), which cannot be stored`, found.path)
    : issue(
        line,
        "unpaired_surrogate",
        `${where} holds an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair), which is not valid Unicode`,
        found.path,
      );
}

function passThrough(line: TextLine): ValidatedLine {
  return { line: line.line, errors: line.errors, warnings: line.warnings };
}

/**
 * Reads and validates a JSONL byte stream: one batch of validated lines per
 * slice read (64 KiB at most) (batches may be empty while the format is being detected, and
 * are then skipped). For the canonical form, hashes and statistics as well,
 * use `importJsonl`.
 */
export async function* validateJsonl(
  source: ByteSource,
  options: ReadLinesOptions & ValidateOptions = {},
): AsyncGenerator<ValidatedLine[]> {
  const validator = new JsonlValidator(options);
  for await (const lines of readJsonlLines(source, options)) {
    const batch: ValidatedLine[] = [];
    for (const line of lines) for (const out of validator.push(line)) batch.push(out);
    if (batch.length > 0) yield batch;
  }
  const rest = validator.end();
  if (rest.length > 0) yield rest;
}
