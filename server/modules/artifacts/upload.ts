import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { DomainError } from "@/server/errors";
import { ARTIFACT_FILE_HINT, artifactPathOf } from "@/server/modules/artifacts/files";

export interface UploadLimits {
  maxTotalBytes: number;
  maxFiles: number;
}

const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxTotalBytes: 4 * 1024 ** 3, maxFiles: 32 };

/** busboy for this content type; one it cannot read (no boundary, a malformed one) is a 400 naming the header. */
function multipartParser(type: string, limits: UploadLimits) {
  try {
    return busboy({
      headers: { "content-type": type },
      // The client's path, so `folder/onnx/model_q4.onnx` keeps its onnx/ (artifactPathOf uses no more of it).
      preservePath: true,
      limits: { files: limits.maxFiles, fileSize: limits.maxTotalBytes },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DomainError(
      "BAD_REQUEST",
      `content-type: ${reason}; send multipart/form-data with its boundary (as fetch and curl -F do)`,
      [{ path: "content-type", message: reason }],
    );
  }
}

/**
 * Streams a multipart/form-data upload (field `files`, one part per file of
 * the folder) into `stagingDir`, never holding a file in memory. Returns the
 * kept files (folder-relative paths) and the ignored ones. Browsers send
 * folder uploads as `folder/onnx/model.onnx`: see `artifactPathOf`.
 */
export async function receiveUpload(
  req: Request,
  stagingDir: string,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<{ kept: string[]; ignored: string[] }> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data"))
    throw new DomainError("BAD_REQUEST", "Send the model folder as multipart/form-data with one 'files' part per file");
  if (!req.body) throw new DomainError("BAD_REQUEST", "The upload is empty");
  const kept: string[] = [];
  const ignored: string[] = [];
  let total = 0;
  const writes: Promise<void>[] = [];

  const parser = multipartParser(type, limits);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      parser.removeAllListeners("file");
      reject(error);
    };
    parser.on("file", (_field, stream, info) => {
      const original = info.filename ?? "";
      const name = artifactPathOf(original);
      if (!name || kept.includes(name)) {
        ignored.push(original);
        stream.resume();
        return;
      }
      kept.push(name);
      stream.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes)
          fail(new DomainError("PAYLOAD_TOO_LARGE", `The upload is larger than ${limits.maxTotalBytes} bytes`));
      });
      stream.on("limit", () =>
        fail(new DomainError("PAYLOAD_TOO_LARGE", `${name} is larger than ${limits.maxTotalBytes} bytes`)),
      );
      const target = path.join(stagingDir, name);
      // Synchronously: the 'data' listener above has the stream flowing, so the pipe must be in place this tick.
      mkdirSync(path.dirname(target), { recursive: true });
      writes.push(pipeline(stream, createWriteStream(target)));
    });
    parser.on("filesLimit", () =>
      fail(new DomainError("PAYLOAD_TOO_LARGE", `At most ${limits.maxFiles} files per upload`)),
    );
    parser.on("error", (error: Error) => fail(new DomainError("BAD_REQUEST", `Malformed upload: ${error.message}`)));
    parser.on("close", () => resolve());
    Readable.fromWeb(req.body as unknown as WebReadableStream).pipe(parser);
  });
  await Promise.all(writes);
  if (kept.length === 0)
    throw new DomainError("UNPROCESSABLE", `No model files in the upload; expected ${ARTIFACT_FILE_HINT}`);
  return { kept, ignored };
}
