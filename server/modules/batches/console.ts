// What the console reads about batches and their files. The Batch API itself (service, executor, /v1 handler)
// lives beside this file; these functions only read, so the console never changes a batch behind its executor.

import { Readable } from "node:stream";
import type { z } from "zod";
import type { BatchOut, batchIdInput, listBatchesInput, StoredFileOut } from "@/lib/batches";
import { bearerToken } from "@/server/auth/api-key";
import { authorizeRequest, type RequestDeps } from "@/server/auth/request";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { errorResponse } from "@/server/http/responses";
import type { ProjectDeps } from "@/server/modules/deps";
import { openStoredFile } from "@/server/modules/files/service";

type BatchRow = Prisma.BatchGetPayload<object>;
type FileRow = Prisma.StoredFileGetPayload<object>;

const toFile = (file: FileRow | undefined, now: Date): StoredFileOut | null =>
  file
    ? {
        id: file.id,
        filename: file.filename,
        bytes: Number(file.bytes),
        lineCount: file.lineCount,
        available: !file.deletedAt && !(file.expiresAt && file.expiresAt <= now),
      }
    : null;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function toBatch(b: BatchRow, files: Map<string, FileRow>, now: Date): BatchOut {
  const file = (id: string | null) => (id ? toFile(files.get(id), now) : null);
  return {
    id: b.id,
    endpoint: b.endpoint,
    status: b.status,
    mode: b.mode,
    upstreamBatchId: b.upstreamBatchId,
    completionWindow: b.completionWindow,
    metadata: isRecord(b.metadata) ? b.metadata : null,
    requestCounts: { total: b.totalCount, completed: b.completedCount, failed: b.failedCount },
    inputFile: file(b.inputFileId),
    outputFile: file(b.outputFileId),
    errorFile: file(b.errorFileId),
    inputFileId: b.inputFileId,
    outputFileId: b.outputFileId,
    errorFileId: b.errorFileId,
    errors: b.errors,
    jobId: b.jobId,
    createdAt: b.createdAt,
    inProgressAt: b.inProgressAt,
    completedAt: b.completedAt,
    failedAt: b.failedAt,
    cancelledAt: b.cancelledAt,
    expiresAt: b.expiresAt,
  };
}

/** The batches' files in one query (only the project's own: a foreign id on a batch shows as missing). */
async function filesOf(db: Db, projectId: string, batches: BatchRow[]): Promise<Map<string, FileRow>> {
  const ids = batches.flatMap((b) => [b.inputFileId, b.outputFileId, b.errorFileId]).filter((id) => id !== null);
  if (ids.length === 0) return new Map();
  const rows = await db.storedFile.findMany({ where: { projectId, id: { in: [...new Set(ids)] } } });
  return new Map(rows.map((f) => [f.id, f]));
}

/** The project's batches, newest first, a page at a time. */
export async function listBatches(deps: ProjectDeps, input: z.output<typeof listBatchesInput>) {
  const { projectId } = deps.caller;
  if (
    input.cursor &&
    !(await deps.db.batch.findFirst({ where: { id: input.cursor, projectId }, select: { id: true } }))
  )
    throw new DomainError("VALIDATION", "Invalid cursor", [{ path: "cursor", message: "Not a batch of this project" }]);
  const rows = await deps.db.batch.findMany({
    where: { projectId, status: input.status },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  const files = await filesOf(deps.db, projectId, page);
  const now = new Date();
  const items = page.map((b) => toBatch(b, files, now));
  return { items, nextCursor: rows.length > input.limit ? page[page.length - 1].id : null };
}

/** One batch of the project; NOT_FOUND for another project's. */
export async function getBatch(deps: ProjectDeps, { id }: z.output<typeof batchIdInput>): Promise<BatchOut> {
  const row = await deps.db.batch.findFirst({ where: { id, projectId: deps.caller.projectId } });
  if (!row) throw notFound("Batch", id);
  return toBatch(row, await filesOf(deps.db, deps.caller.projectId, [row]), new Date());
}

const PROJECT_HEADER = "x-switchyard-project";
const FILE_ID = /^file-[A-Za-z0-9_-]{1,100}$/;

/**
 * GET /api/rest/files/{id}/download — a stored file's bytes (batch input, output, errors), streamed from the
 * blob store as an attachment. A browser following the console's link sends neither a project header nor an
 * API key, so the project is the file's own; membership and `jobs:read` there are still checked. An API key
 * or a project header reads from that project only (another project's file is a 404).
 */
export async function handleFileDownload(req: Request, deps: RequestDeps, fileId: string): Promise<Response> {
  try {
    // An id that cannot be a file's is simply not found (after the credentials are checked, as for any other).
    const file = FILE_ID.test(fileId) ? await deps.db.storedFile.findUnique({ where: { id: fileId } }) : null;
    const caller = await downloadCaller(req, deps, file?.projectId ?? null, fileId);
    if (!file || file.projectId !== caller.projectId) throw notFound("File", fileId);
    // Deleted, expired or missing bytes: a 404 from the files module.
    const opened = await openStoredFile(deps.db, caller.projectId, fileId);
    const size = opened.file.bytes;
    const stream = Readable.toWeb(opened.stream() as Readable) as ReadableStream<Uint8Array>;
    return new Response(stream, {
      headers: {
        "content-type": file.filename.endsWith(".jsonl")
          ? "application/jsonl; charset=utf-8"
          : "application/octet-stream",
        "content-length": String(size),
        "content-disposition": `attachment; filename="${safeFileName(file.filename)}"`,
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Who downloads: see handleFileDownload. Signed out is a 401 whether or not the file exists. */
async function downloadCaller(req: Request, deps: RequestDeps, owner: string | null, fileId: string) {
  if (req.headers.has(PROJECT_HEADER) || bearerToken(req.headers)) return authorizeRequest(req, deps, "jobs:read");
  if (!owner) {
    if (!(await deps.session()))
      throw new DomainError("UNAUTHENTICATED", "Sign in or send 'Authorization: Bearer <api key>'");
    throw notFound("File", fileId);
  }
  const headers = new Headers(req.headers);
  headers.set(PROJECT_HEADER, owner);
  return authorizeRequest(new Request(req.url, { headers }), deps, "jobs:read");
}

/** A name safe inside a quoted header value. */
const safeFileName = (name: string) => name.replaceAll(/[^A-Za-z0-9._-]/g, "_").slice(0, 200) || "file";
