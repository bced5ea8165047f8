/**
 * The batch input file's lines, checked as OpenAI's Batch API documents them (`{custom_id, method, url, body}`,
 * one line per request) and with the gateway's own request checks, so a file that passes here runs line by line
 * without a surprise 400 the uploader could have been told about. Every bad line is named by its number.
 */
import { BATCH_ENDPOINTS } from "@/lib/batches";
import { DomainError } from "@/server/errors";
import { findUnstorableText, MAY_HOLD_UNSTORABLE_ESCAPE } from "@/server/http/storable-text";
import { OversizeLine, type RawLine } from "./lines";

export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export interface BatchLimits {
  /** More lines than this: the file is refused (SWITCHYARD_BATCH_MAX_LINES). */
  maxLines: number;
  /** A longer line is refused (a live request's body could not be larger either). */
  maxLineBytes: number;
}

/**
 * What the endpoint would refuse in a line's body (`body.messages: ...`), or null. The gateway's own request
 * checks (server/modules/gateway/batch-body.ts); passed in because the gateway sits above this module.
 */
export type BatchBodyCheck = (url: BatchEndpoint, body: unknown) => string | null;

/** One request of a batch, as the executor runs it. */
export interface BatchLine {
  line: number;
  customId: string;
  method: "POST";
  url: BatchEndpoint;
  body: Record<string, unknown>;
}

/** custom_ids are kept for the duplicate check: bounded so 50,000 of them stay a few MB. */
const MAX_CUSTOM_ID = 512;
/** Bad lines named in the message; the rest are counted. */
const MAX_NAMED = 20;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function textOf(raw: RawLine | string, maxLineBytes: number): { text: string } | { problem: string } {
  if (raw instanceof OversizeLine) return { problem: `longer than the ${maxLineBytes}-byte limit for one line` };
  if (typeof raw === "string") return raw.includes("\0") ? { problem: "contains a NUL character" } : { text: raw };
  if (raw.includes(0)) return { problem: "contains a NUL byte" };
  try {
    return { text: utf8.decode(raw) };
  } catch {
    return { problem: "is not valid UTF-8" };
  }
}

type Parsed = { request: Omit<BatchLine, "line"> | null; customId: string | null; url: BatchEndpoint | null };

/**
 * Parses one line; `problems` gets what is wrong with it. `request` is set when the line is fine; `customId`
 * whenever the line has a usable one (for the duplicate check). `firstUrl` is the first line's supported url: every
 * line of a file must use the same one, as a batch has one endpoint.
 */
function parseLine(text: string, firstUrl: string | null, checkBody: BatchBodyCheck, problems: string[]): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.push(`is not valid JSON (${(error as Error).message})`);
    return { request: null, customId: null, url: null };
  }
  if (!isObject(value)) {
    problems.push("is not a JSON object");
    return { request: null, customId: null, url: null };
  }
  if (MAY_HOLD_UNSTORABLE_ESCAPE.test(text)) {
    const found = findUnstorableText(value);
    if (found) problems.push(`${found.path.join(".")}: ${found.problem}`);
  }
  const { custom_id: rawId, method, url, body } = value;
  let customId: string | null = null;
  if (typeof rawId !== "string") problems.push("custom_id is missing or not a string");
  else if (!rawId) problems.push("custom_id is empty");
  else if (rawId.length > MAX_CUSTOM_ID) problems.push(`custom_id is longer than ${MAX_CUSTOM_ID} characters`);
  else customId = rawId;
  if (method !== "POST") problems.push(`method must be "POST" (got ${JSON.stringify(method) ?? "nothing"})`);
  if (typeof url !== "string" || !(BATCH_ENDPOINTS as readonly string[]).includes(url))
    problems.push(`url must be one of ${BATCH_ENDPOINTS.join(", ")} (got ${JSON.stringify(url) ?? "nothing"})`);
  else if (firstUrl !== null && url !== firstUrl)
    problems.push(`url ${url} differs from the first line's ${firstUrl}: one file, one endpoint`);
  else {
    const problem = checkBody(url as BatchEndpoint, body);
    if (problem) problems.push(problem);
  }
  const endpoint = (BATCH_ENDPOINTS as readonly unknown[]).includes(url) ? (url as BatchEndpoint) : null;
  if (problems.length || customId === null || !endpoint) return { request: null, customId, url: endpoint };
  return {
    request: { customId, method: "POST", url: endpoint, body: body as Record<string, unknown> },
    customId,
    url: endpoint,
  };
}

/**
 * Checks every line of a batch input file, reading them one at a time. Returns the count of lines; a file with
 * bad lines is a 400 naming each one (the first 20, then how many more), an empty one or one past
 * `limits.maxLines` a 400 at once.
 */
export async function validateBatchLines(
  lines: AsyncIterable<RawLine | string>,
  limits: BatchLimits,
  checkBody: BatchBodyCheck,
): Promise<{ lineCount: number }> {
  const seen = new Map<string, number>();
  const bad: string[] = [];
  let badCount = 0;
  let number = 0;
  let firstUrl: string | null = null;
  for await (const raw of lines) {
    number++;
    if (number > limits.maxLines)
      throw new DomainError(
        "VALIDATION",
        `The batch input file has more than ${limits.maxLines} lines (the limit, SWITCHYARD_BATCH_MAX_LINES): split it into several batches`,
        [{ path: "file", message: `more than ${limits.maxLines} lines` }],
      );
    const problems: string[] = [];
    const decoded = textOf(raw, limits.maxLineBytes);
    if ("problem" in decoded) problems.push(decoded.problem);
    else if (!decoded.text.trim()) problems.push("is blank (only one final newline may end the file)");
    else {
      const { customId, url } = parseLine(decoded.text, firstUrl, checkBody, problems);
      if (customId !== null) {
        const first = seen.get(customId);
        if (first !== undefined)
          problems.push(`custom_id ${JSON.stringify(customId)} was already used on line ${first}`);
        else seen.set(customId, number);
      }
      firstUrl ??= url;
    }
    if (problems.length) {
      badCount++;
      if (bad.length < MAX_NAMED) bad.push(`line ${number}: ${problems.join("; ")}`);
    }
  }
  if (number === 0)
    throw new DomainError("VALIDATION", "The batch input file is empty: it needs one JSON request per line", [
      { path: "file", message: "empty" },
    ]);
  if (badCount) {
    const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : "";
    const noun = badCount === 1 ? "line is" : "lines are";
    throw new DomainError(
      "VALIDATION",
      `${badCount} ${noun} invalid in the batch input file: ${bad.join("; ")}${more}`,
      [{ path: "file", message: `${badCount} invalid ${badCount === 1 ? "line" : "lines"}` }],
    );
  }
  return { lineCount: number };
}

/** A line of a stored (already validated) batch input file, as the executor runs it. */
export function parseStoredBatchLine(text: string, line: number): BatchLine {
  const problems: string[] = [];
  const { request } = parseLine(text, null, () => null, problems);
  if (!request) throw new Error(`line ${line} of a stored batch input file is invalid: ${problems.join("; ")}`);
  return { line, ...request };
}
