/**
 * Stored files (`/v1/files`): rows in `files`, bytes in the content-addressed file store. Deleting is soft (a
 * batch that used the file keeps its history); deleted and expired files are gone for every reader here.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { StoredFile } from "@/server/generated/prisma/client";
import { findUnstorableText } from "@/server/http/storable-text";
import { type BatchBodyCheck, type BatchLine, parseStoredBatchLine, validateBatchLines } from "./batch-lines";
import { batchLimits, maxFileBytes } from "./limits";
import { OversizeLine, splitLines } from "./lines";
import type { ListFilesQuery } from "./schemas";
import { discardStaged, fileStore, type StagedFile, stageStream, tooLarge } from "./store";

/** OpenAI's file object, as `files.create`, `files.retrieve` and `files.list` return it. */
export interface OpenAIFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: "processed";
  expires_at: number | null;
  status_details: null;
}

/** Batch input files expire after 30 days unless the upload says otherwise, as OpenAI's do. */
const BATCH_EXPIRY_SECONDS = 30 * 24 * 3600;
const MAX_FILENAME = 255;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function fileObject(row: StoredFile): OpenAIFile {
  return {
    id: row.id,
    object: "file",
    bytes: Number(row.bytes),
    created_at: seconds(row.createdAt),
    filename: row.filename,
    purpose: row.purpose,
    status: "processed",
    expires_at: row.expiresAt ? seconds(row.expiresAt) : null,
    status_details: null,
  };
}

/** `file-` and 24 characters, as OpenAI's ids look. */
const newFileId = () => `file-${randomBytes(18).toString("base64url")}`;

const notFound = (id: string) =>
  new DomainError("NOT_FOUND", `No such File object: ${id}`, [{ path: "file_id", message: "not found" }]);

/** What readers may see: the project's, not deleted, not expired. */
const visible = (projectId: string) => ({
  projectId,
  deletedAt: null,
  OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
});

/** A file's name as stored: its base name, checked (an upload's path and odd characters stay out). */
function cleanFilename(raw: string): string {
  const name = path.posix.basename(raw.replaceAll("\\", "/")).trim();
  if (!name)
    throw new DomainError("BAD_REQUEST", "The file part needs a filename", [{ path: "file", message: "no name" }]);
  if (name.length > MAX_FILENAME)
    throw new DomainError("BAD_REQUEST", `The filename is longer than ${MAX_FILENAME} characters`, [
      { path: "file", message: "filename too long" },
    ]);
  const unstorable = findUnstorableText(name);
  if (unstorable)
    throw new DomainError("BAD_REQUEST", `The filename ${unstorable.problem}`, [{ path: "file", message: "bad name" }]);
  return name;
}

/** Lines of a JSONL file: newline-ended ones plus a last one without its newline. */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length) last = chunk[chunk.length - 1];
  }
  return last === 0x0a ? lines : lines + 1;
}

/** Checks a staged batch input file line by line; returns its line count (a 400 naming every bad line otherwise). */
async function checkBatchFile(file: string, checkBody: BatchBodyCheck): Promise<number> {
  const limits = batchLimits();
  const stream = createReadStream(file);
  try {
    return (await validateBatchLines(splitLines(stream, limits.maxLineBytes), limits, checkBody)).lineCount;
  } finally {
    stream.destroy();
  }
}

interface SaveInput {
  projectId: string;
  apiKeyId: string | null;
  purpose: string;
  filename: string;
  staged: StagedFile;
  lineCount: number | null;
  /** Seconds from creation to expiry; null: never. */
  lifetimeSeconds: number | null;
}

/** Moves the staged file into the store and records it; a failed insert takes back a blob it added. */
async function save(db: Db, input: SaveInput): Promise<OpenAIFile> {
  const { staged } = input;
  const { created } = await fileStore().adopt(staged.path, staged.sha256);
  // One clock reading for both: `expires_at` is exactly `created_at` plus the lifetime, as OpenAI's files are.
  const createdAt = new Date();
  const expiresAt =
    input.lifetimeSeconds === null ? null : new Date(createdAt.getTime() + input.lifetimeSeconds * 1000);
  try {
    const row = await db.storedFile.create({
      data: {
        id: newFileId(),
        projectId: input.projectId,
        apiKeyId: input.apiKeyId,
        purpose: input.purpose,
        filename: input.filename,
        bytes: BigInt(staged.bytes),
        sha256: staged.sha256,
        lineCount: input.lineCount,
        createdAt,
        expiresAt,
      },
    });
    return fileObject(row);
  } catch (error) {
    if (created && (await db.storedFile.count({ where: { sha256: staged.sha256 } })) === 0)
      await fileStore().remove(staged.sha256);
    throw error;
  }
}

export interface UploadInput {
  projectId: string;
  apiKeyId: string | null;
  purpose: string;
  filename: string;
  /** Seconds after creation, from `expires_after` (already checked); null: the purpose's default. */
  expiresAfterSeconds: number | null;
  staged: StagedFile;
  /** The gateway's check of a batch line's body for its endpoint. */
  checkBatchBody: BatchBodyCheck;
}

/** Stores an upload (the staged file is consumed: stored, or deleted when refused). */
export async function uploadFile(db: Db, input: UploadInput): Promise<OpenAIFile> {
  const { staged, purpose } = input;
  try {
    const filename = cleanFilename(input.filename);
    if (staged.bytes > maxFileBytes(purpose)) throw tooLarge(maxFileBytes(purpose));
    if (staged.bytes === 0)
      throw new DomainError("BAD_REQUEST", "The file is empty", [{ path: "file", message: "empty" }]);
    const lineCount = purpose === "batch" ? await checkBatchFile(staged.path, input.checkBatchBody) : null;
    const lifetime = input.expiresAfterSeconds ?? (purpose === "batch" ? BATCH_EXPIRY_SECONDS : null);
    return await save(db, {
      projectId: input.projectId,
      apiKeyId: input.apiKeyId,
      purpose,
      filename,
      staged,
      lineCount,
      lifetimeSeconds: lifetime,
    });
  } finally {
    await discardStaged(staged);
  }
}

/** A local file, or the content itself. */
export type FileSource = { path: string } | string | Buffer;

/**
 * Stores a file the system writes itself (a batch's output and error files, purpose `batch_output`): no upload
 * limits, no expiry. JSONL purposes (`batch`, `batch_output`) get their line count; `batch` input is checked for
 * its structure (custom_id, method, url; bodies are the writer's business).
 */
export async function createStoredFile(
  db: Db,
  input: { projectId: string; apiKeyId: string | null; purpose: string; filename: string; source: FileSource },
): Promise<OpenAIFile> {
  const { source } = input;
  const staged =
    typeof source === "string" || Buffer.isBuffer(source)
      ? await stageStream(Readable.from([Buffer.from(source)]), Number.POSITIVE_INFINITY)
      : await stageStream(createReadStream(source.path), Number.POSITIVE_INFINITY);
  try {
    const filename = cleanFilename(input.filename);
    let lineCount: number | null = null;
    if (input.purpose === "batch") lineCount = await checkBatchFile(staged.path, () => null);
    else if (input.purpose === "batch_output") lineCount = await countLines(staged.path);
    return await save(db, { ...input, filename, staged, lineCount, lifetimeSeconds: null });
  } finally {
    await discardStaged(staged);
  }
}

async function findVisible(db: Db, projectId: string, fileId: string): Promise<StoredFile> {
  const row = await db.storedFile.findFirst({ where: { id: fileId, ...visible(projectId) } });
  if (!row) throw notFound(fileId);
  return row;
}

export async function retrieveFile(db: Db, projectId: string, fileId: string): Promise<OpenAIFile> {
  return fileObject(await findVisible(db, projectId, fileId));
}

/** OpenAI's list: newest first by default, `after` a file id of the previous page. */
export async function listFiles(db: Db, projectId: string, query: ListFilesQuery) {
  const direction = query.order;
  const where: Record<string, unknown> = visible(projectId);
  if (query.purpose) where.purpose = query.purpose;
  if (query.after) {
    const cursor = await db.storedFile.findFirst({ where: { id: query.after, projectId } });
    if (!cursor)
      throw new DomainError("BAD_REQUEST", `after: no file '${query.after}' in this project`, [
        { path: "after", message: "unknown file" },
      ]);
    const beyond = direction === "desc" ? "lt" : "gt";
    where.AND = [
      {
        OR: [
          { createdAt: { [beyond]: cursor.createdAt } },
          { createdAt: cursor.createdAt, id: { [beyond]: cursor.id } },
        ],
      },
    ];
  }
  const rows = await db.storedFile.findMany({
    where,
    orderBy: [{ createdAt: direction }, { id: direction }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit).map(fileObject);
  return {
    object: "list" as const,
    data: page,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
    has_more: rows.length > query.limit,
  };
}

/** Soft delete: the row stays for the batches that used it; the file is gone for every reader. */
export async function deleteFile(db: Db, projectId: string, fileId: string) {
  const { count } = await db.storedFile.updateMany({
    where: { id: fileId, ...visible(projectId) },
    data: { deletedAt: new Date() },
  });
  if (count === 0) throw notFound(fileId);
  return { id: fileId, object: "file" as const, deleted: true as const };
}

/** A file and its bytes (404 when missing, deleted, expired or another project's). */
export async function openStoredFile(db: Db, projectId: string, fileId: string) {
  const row = await findVisible(db, projectId, fileId);
  return { file: fileObject(row), stream: (): NodeJS.ReadableStream => fileStore().open(row.sha256) };
}

/**
 * The requests of a batch input file, in file order, line numbers from 1; read one line at a time from the
 * stored file (it was checked at upload). A file of another purpose is a 400 naming it.
 */
export async function* readBatchInput(db: Db, projectId: string, fileId: string): AsyncGenerator<BatchLine> {
  const row = await findVisible(db, projectId, fileId);
  if (row.purpose !== "batch")
    throw new DomainError("BAD_REQUEST", `File ${fileId} has purpose '${row.purpose}': a batch needs purpose 'batch'`, [
      { path: "input_file_id", message: "not a batch input file" },
    ]);
  const stream = fileStore().open(row.sha256);
  try {
    let line = 0;
    for await (const raw of splitLines(stream, Number.MAX_SAFE_INTEGER)) {
      line++;
      if (raw instanceof OversizeLine) throw new Error(`line ${line} of ${fileId} is unexpectedly long`);
      yield parseStoredBatchLine(Buffer.from(raw).toString("utf8"), line);
    }
  } finally {
    stream.destroy();
  }
}

/** What the content answer says it is, by the file's extension (batch files are JSON Lines). */
export function contentTypeOf(filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

const CONTENT_TYPES: Record<string, string> = {
  ".jsonl": "application/jsonl",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};
