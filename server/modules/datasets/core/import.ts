import { DatasetHasher } from "./canonical";
import { IssueCollector, type IssueSummary } from "./issues";
import { type ByteSource, iterateSlices, LineSplitter, type ReadLinesOptions } from "./lines";
import { DatasetStats, type DatasetStatsSnapshot } from "./stats";
import type { DatasetFormat } from "./types";
import { JsonlValidator, type ValidatedLine, type ValidateOptions } from "./validate";

export interface ImportOptions extends ReadLinesOptions, ValidateOptions {
  /** Issues of each severity kept in `result().issues.errorSample` and `.warningSample` (default 100). */
  issueSampleLimit?: number;
}

/** A validated line plus, when it has an example, its canonical training line and hash. */
export interface ImportedLine extends ValidatedLine {
  /** `trainingLine(example)`: canonical JSON, what the export writes. */
  canonical?: string;
  /** sha256 hex of `canonical`: the example's identity (dedupe, split). */
  hash?: string;
  /** The same training content appeared earlier in this file. */
  duplicate?: boolean;
}

export interface ImportResult {
  format: DatasetFormat;
  /** Examples in order, duplicates included (see `stats.duplicates`). */
  examples: number;
  /** sha256 of the canonical training JSONL = sha256 of the OpenAI export. */
  contentHash: string;
  /** sha256 of the canonical JSONL with metadata = sha256 of the export with `includeMetadata`. */
  recordsHash: string;
  /** Bytes read from the source. */
  bytes: number;
  issues: IssueSummary;
  stats: DatasetStatsSnapshot;
}

/**
 * One pass over a JSONL upload: read, validate, canonicalise, hash, count.
 * Iterate it for batches of lines (one per chunk read: write the examples
 * where they go), then call `result()`; or `await run()` when only the
 * result matters (a dry-run validation). Memory stays bounded whatever the
 * file size (see the README for the figures). Iterable once.
 *
 * ```ts
 * const upload = importJsonl(request.body, { format: "auto" });
 * for await (const batch of upload) await insertExamples(batch.filter((l) => l.example));
 * const { contentHash, issues, stats } = upload.result();
 * ```
 */
export function importJsonl(source: ByteSource, options: ImportOptions = {}): DatasetImport {
  return new DatasetImport(source, options);
}

export class DatasetImport implements AsyncIterable<ImportedLine[]> {
  private outcome: ImportResult | undefined;
  private started = false;

  constructor(
    private readonly source: ByteSource,
    private readonly options: ImportOptions,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<ImportedLine[]> {
    if (this.started) throw new Error("a DatasetImport can be iterated once");
    this.started = true;
    const splitter = new LineSplitter(this.options);
    const validator = new JsonlValidator(this.options);
    const hasher = new DatasetHasher();
    const stats = new DatasetStats({
      countTokens: this.options.countTokens,
      maxTokensPerExample: this.options.maxTokensPerExample,
    });
    const issues = new IssueCollector(this.options.issueSampleLimit);
    let bytes = 0;

    const finish = (validated: ValidatedLine[]): ImportedLine[] => {
      const out = validated as ImportedLine[];
      for (const line of out) {
        const example = line.example;
        issues.addLine(line);
        if (!example) {
          if (line.errors.length > 0) stats.addRejected(line.errors);
          continue;
        }
        const { line: canonical, hash } = hasher.add(example);
        line.canonical = canonical;
        line.hash = hash;
        line.duplicate = stats.add(example, { tokens: line.tokens, assistantTokens: line.assistantTokens, hash });
      }
      return out;
    };

    for await (const chunk of iterateSlices(this.source)) {
      bytes += chunk.length;
      const batch: ValidatedLine[] = [];
      for (const line of splitter.push(chunk)) for (const v of validator.push(line)) batch.push(v);
      if (batch.length > 0) yield finish(batch);
    }
    const tail: ValidatedLine[] = [];
    for (const line of splitter.end()) for (const v of validator.push(line)) tail.push(v);
    for (const v of validator.end()) tail.push(v);
    if (tail.length > 0) yield finish(tail);

    const hashes = hasher.digest();
    this.outcome = {
      format: validator.format ?? "chat",
      examples: hashes.examples,
      contentHash: hashes.contentHash,
      recordsHash: hashes.recordsHash,
      bytes,
      issues: issues.summary(),
      stats: stats.snapshot(),
    };
  }

  /** The outcome; throws until the iteration has finished. */
  result(): ImportResult {
    if (!this.outcome) throw new Error("importJsonl: result() before the iteration finished");
    return this.outcome;
  }

  /** Drains the import, discarding the lines, and returns the result. */
  async run(): Promise<ImportResult> {
    for await (const _ of this) {
      // Lines are discarded: only the result is wanted.
    }
    return this.result();
  }
}
