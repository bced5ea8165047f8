/**
 * `/v1/files`: OpenAI's Files API over the files module, for the key's project. The upload streams (the
 * gateway's 1 MiB JSON body limit does not apply; the files module's limits do); the content streams back.
 */
import { Readable } from "node:stream";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { listFilesQuery } from "@/server/modules/files/schemas";
import {
  contentTypeOf,
  deleteFile,
  listFiles,
  openStoredFile,
  retrieveFile,
  uploadFile,
} from "@/server/modules/files/service";
import { discardStaged } from "@/server/modules/files/store";
import { receiveFileUpload, uploadFields } from "@/server/modules/files/upload";
import { inUploadSlot } from "@/server/modules/files/upload-slots";
import { batchBodyProblem } from "./batch-body";
import { bodyStream, type GatewayHttpRequest } from "./http-request";
import { jsonResponse } from "./json-response";
import type { GatewayRequest } from "./request-scope";

function answer(scope: GatewayRequest, body: unknown): Response {
  scope.finish({ status: 200 });
  return jsonResponse(body, { headers: { "x-request-id": scope.id } });
}

export async function serveFileUpload(db: Db, scope: GatewayRequest, req: GatewayHttpRequest): Promise<Response> {
  const file = await inUploadSlot(scope.entry.projectId, () => receive(db, scope, req));
  return answer(scope, file);
}

async function receive(db: Db, scope: GatewayRequest, req: GatewayHttpRequest) {
  const body = bodyStream(req);
  if (!body)
    throw new DomainError("BAD_REQUEST", "Send the file as multipart/form-data", [
      { path: "file", message: "no body" },
    ]);
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  const upload = await receiveFileUpload(
    req.headers.get("content-type") ?? "",
    Number.isFinite(declared) ? declared : null,
    body,
  );
  let fields: ReturnType<typeof uploadFields>;
  try {
    fields = uploadFields(upload.fields);
  } catch (error) {
    await discardStaged(upload.staged);
    throw error;
  }
  return uploadFile(db, {
    projectId: scope.entry.projectId,
    apiKeyId: scope.entry.apiKeyId,
    purpose: fields.purpose,
    expiresAfterSeconds: fields.expiresAfterSeconds,
    filename: upload.filename,
    staged: upload.staged,
    checkBatchBody: batchBodyProblem,
  });
}

export async function serveFileList(db: Db, scope: GatewayRequest, req: GatewayHttpRequest): Promise<Response> {
  const query = listFilesQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return answer(scope, await listFiles(db, scope.entry.projectId, query));
}

export async function serveFile(db: Db, scope: GatewayRequest, id: string): Promise<Response> {
  return answer(scope, await retrieveFile(db, scope.entry.projectId, id));
}

export async function serveFileDelete(db: Db, scope: GatewayRequest, id: string): Promise<Response> {
  return answer(scope, await deleteFile(db, scope.entry.projectId, id));
}

/** The bytes as stored, streamed; the type by the file's extension (`application/jsonl` for batch files). */
export async function serveFileContent(db: Db, scope: GatewayRequest, id: string): Promise<Response> {
  const { file, stream } = await openStoredFile(db, scope.entry.projectId, id);
  scope.finish({ status: 200 });
  const body = Readable.toWeb(stream() as Readable) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": contentTypeOf(file.filename),
      "content-length": String(file.bytes),
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "x-request-id": scope.id,
    },
  });
}
