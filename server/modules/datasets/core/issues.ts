import { DomainError } from "@/server/errors";

/**
 * Every problem the reader and validator can report. The first eight carry
 * the names of OpenAI's cookbook format checker ("Data preparation and
 * analysis for chat model fine-tuning") so a count here reads like a count
 * there. The README in this folder lists when each is raised.
 */
export const ISSUE_CODES = [
  // OpenAI cookbook names
  "invalid_json",
  "data_type",
  "missing_messages_list",
  "message_missing_key",
  "message_unrecognized_key",
  "unrecognized_role",
  "missing_content",
  "example_missing_assistant_message",
  // bytes and lines
  "invalid_utf8",
  "line_too_long",
  "empty_line",
  "bom",
  "crlf",
  // examples
  "unrecognized_key",
  "prompt_completion_missing_key",
  "invalid_weight",
  "mixed_formats",
  "too_many_tokens",
  // values PostgreSQL cannot store (text and jsonb refuse them)
  "nul_character",
  "unpaired_surrogate",
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

export type IssueSeverity = "error" | "warning";

/** One problem on one line. `line` is 1-based; `path` is a JSON path inside the line (`messages[1].role`). */
export interface DatasetIssue {
  line: number;
  code: IssueCode;
  /** Reads on its own: "line 7: message 2 has unrecognized key 'foo'". */
  message: string;
  path?: string;
}

export function issue(line: number, code: IssueCode, text: string, path?: string): DatasetIssue {
  return path === undefined
    ? { line, code, message: `line ${line}: ${text}` }
    : { line, code, message: `line ${line}: ${text}`, path };
}

/** What an import saw, by code; bounded however many lines the file has. */
export interface IssueSummary {
  /** Lines read, empty ones included (a final newline does not start a line). */
  lines: number;
  /** Lines with at least one error (they yield no example). */
  rejectedLines: number;
  /** Lines that produced an example. */
  acceptedLines: number;
  errors: number;
  warnings: number;
  /** Occurrences by code (errors and warnings). */
  counts: Partial<Record<IssueCode, number>>;
  /** The first `sampleLimit` errors, in line order. */
  errorSample: DatasetIssue[];
  /** The first `sampleLimit` warnings (BOM, CRLF, empty lines, ...), in line order. */
  warningSample: DatasetIssue[];
  /** True when the samples do not hold every issue (compare `errors` and `warnings` with their lengths). */
  truncated: boolean;
}

/**
 * Counts issues by code and keeps the first few of each severity, so a file
 * with a million bad lines still produces a summary of fixed size.
 */
export class IssueCollector {
  private readonly counts: Partial<Record<IssueCode, number>> = {};
  private readonly errorSample: DatasetIssue[] = [];
  private readonly warningSample: DatasetIssue[] = [];
  private errors = 0;
  private warnings = 0;
  private lines = 0;
  private rejected = 0;
  private accepted = 0;

  constructor(private readonly sampleLimit = 100) {}

  /** Records one line's outcome (every line read, empty ones included). */
  addLine(line: { errors: readonly DatasetIssue[]; warnings: readonly DatasetIssue[]; example?: unknown }): void {
    this.lines++;
    for (const e of line.errors) this.add(e, "error");
    for (const w of line.warnings) this.add(w, "warning");
    if (line.example !== undefined) this.accepted++;
    else if (line.errors.length > 0) this.rejected++;
  }

  private add(found: DatasetIssue, severity: IssueSeverity): void {
    this.counts[found.code] = (this.counts[found.code] ?? 0) + 1;
    if (severity === "error") {
      this.errors++;
      if (this.errorSample.length < this.sampleLimit) this.errorSample.push(found);
    } else {
      this.warnings++;
      if (this.warningSample.length < this.sampleLimit) this.warningSample.push(found);
    }
  }

  summary(): IssueSummary {
    return {
      lines: this.lines,
      rejectedLines: this.rejected,
      acceptedLines: this.accepted,
      errors: this.errors,
      warnings: this.warnings,
      counts: { ...this.counts },
      errorSample: [...this.errorSample],
      warningSample: [...this.warningSample],
      truncated: this.errorSample.length < this.errors || this.warningSample.length < this.warnings,
    };
  }
}

/** The share of rejected lines lenient mode accepts when the caller names none. */
export const DEFAULT_MAX_REJECTED_FRACTION = 0.1;

/**
 * `strict`: any error rejects the file. `lenient`: invalid lines are skipped
 * as long as at least one example is valid and the share of rejected lines
 * stays at or below `maxRejectedFraction` (default 0.1).
 */
export interface ImportPolicy {
  mode: "strict" | "lenient";
  maxRejectedFraction?: number;
}

export interface ImportDecision {
  accept: boolean;
  /** Why, in one sentence a user can act on. */
  reason: string;
}

/** Decides from a summary whether an import goes ahead. The policy is the caller's (a per-dataset setting, say). */
export function decideImport(summary: IssueSummary, policy: ImportPolicy): ImportDecision {
  const examples = summary.acceptedLines;
  const rejected = summary.rejectedLines;
  const considered = examples + rejected;
  if (examples === 0) {
    return {
      accept: false,
      reason:
        rejected > 0 ? `no valid example: all ${rejected} non-empty lines have errors` : "the file has no examples",
    };
  }
  if (policy.mode === "strict") {
    return summary.errors === 0
      ? { accept: true, reason: `${examples} valid examples, no errors` }
      : {
          accept: false,
          reason: `${plural(summary.errors, "error")} on ${plural(rejected, "line")} (strict mode accepts none)`,
        };
  }
  const limit = policy.maxRejectedFraction ?? DEFAULT_MAX_REJECTED_FRACTION;
  const fraction = considered === 0 ? 0 : rejected / considered;
  if (fraction > limit) {
    return {
      accept: false,
      reason: `${rejected} of ${considered} lines are invalid (${percent(fraction)}), above the ${percent(limit)} allowed`,
    };
  }
  return {
    accept: true,
    reason:
      rejected === 0 ? `${examples} valid examples` : `${examples} valid examples; ${rejected} invalid lines skipped`,
  };
}

/** What a refused import answers besides the message: errors and warnings apart, with their totals. */
export interface ImportRejection {
  /** The first errors (at most the sample limit, 100 by default), in line order. */
  errors: DatasetIssue[];
  errorCount: number;
  /** The first warnings (BOM, CRLF, empty lines, ...): they did not cause the refusal. */
  warnings: DatasetIssue[];
  warningCount: number;
  /** True when `errors` or `warnings` does not list every issue (see the counts). */
  truncated: boolean;
  lines: number;
  rejectedLines: number;
  /** Occurrences by code, errors and warnings. */
  counts: IssueSummary["counts"];
}

/**
 * The 422 of a refused import. `issues` (the REST error body's generic list)
 * holds the sampled errors only, `path` = `line 7` or `line 7 messages[1].role`;
 * `rejection` has errors and warnings apart, with counts and `truncated`.
 */
export class ImportRejectedError extends DomainError {
  readonly rejection: ImportRejection;

  constructor(reason: string, summary: IssueSummary) {
    super(
      "UNPROCESSABLE",
      `dataset rejected: ${reason}`,
      summary.errorSample.map((i) => ({
        path: i.path ? `line ${i.line} ${i.path}` : `line ${i.line}`,
        message: i.message,
      })),
    );
    this.rejection = {
      errors: summary.errorSample,
      errorCount: summary.errors,
      warnings: summary.warningSample,
      warningCount: summary.warnings,
      truncated: summary.truncated,
      lines: summary.lines,
      rejectedLines: summary.rejectedLines,
      counts: summary.counts,
    };
  }
}

/** Throws {@link ImportRejectedError} (UNPROCESSABLE) when the policy rejects the file. */
export function assertImportable(summary: IssueSummary, policy: ImportPolicy): void {
  const decision = decideImport(summary, policy);
  if (decision.accept) return;
  throw new ImportRejectedError(decision.reason, summary);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10} %`;
}
