/**
 * `POST /v1/files`: OpenAI's multipart form (`file`, `purpose`, `expires_after[anchor]`,
 * `expires_after[seconds]`), the file part streamed to a staging file (never held in memory).
 */
import type { Readable } from "node:stream";
import busboy from "busboy";
import { DomainError } from "@/server/errors";
import { maxUploadBytes } from "./limits";
import { expiresAfterSeconds, UPLOAD_PURPOSES } from "./schemas";
import { discardStaged, type StagedFile, stageStream, tooLarge } from "./store";

export interface ReceivedUpload {
  staged: StagedFile;
  filename: string;
  /** The form's text fields (first value of each). */
  fields: Record<string, string>;
}

/** Multipart framing around the parts: a generous allowance over the file's own limit for the declared length. */
const FORM_OVERHEAD = 64 * 1024;
const MAX_FIELD_BYTES = 1024;

const bad = (message: string, param = "file") => new DomainError("BAD_REQUEST", message, [{ path: param, message }]);

function parser(contentType: string, maxBytes: number) {
  try {
    return busboy({
      headers: { "content-type": contentType },
      limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: MAX_FIELD_BYTES, parts: 12 },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw bad(`content-type: ${reason}; send multipart/form-data with its boundary`, "content-type");
  }
}

/**
 * Reads the form: the one file part to a staging file, the text fields in memory (a few, small). The caller owns
 * the staged file (discard it when done); on failure nothing is left.
 */
export async function receiveFileUpload(
  contentType: string,
  declaredLength: number | null,
  body: Readable,
): Promise<ReceivedUpload> {
  if (!contentType.toLowerCase().startsWith("multipart/form-data"))
    throw bad("Send the file as multipart/form-data with a 'file' part and a 'purpose' field", "content-type");
  const maxBytes = maxUploadBytes();
  if (declaredLength !== null && declaredLength > maxBytes + FORM_OVERHEAD) {
    body.resume();
    throw tooLarge(maxBytes);
  }
  const form = parser(contentType, maxBytes);
  const fields: Record<string, string> = {};
  let staging: Promise<StagedFile> | null = null;
  let filename = "";
  let truncated = false;
  /** The file part being written: a client that leaves mid-upload must end its write too (and its staged file). */
  let part: Readable | null = null;
  let failure: DomainError | null = null;
  const fail = (error: DomainError) => {
    failure ??= error;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      form.on("file", (name, stream, info) => {
        // A form cut short errors its file stream: the staging write sees that (and rejects); without a listener
        // of its own a late one, or one on a skipped part, would be an uncaught exception that ends the process.
        stream.on("error", () => {});
        if (name !== "file" || staging) {
          fail(bad(`Unexpected file part '${name}': send one file, in the part named 'file'`));
          stream.resume();
          return;
        }
        filename = info.filename ?? "";
        part = stream;
        stream.on("limit", () => {
          truncated = true;
        });
        staging = stageStream(stream, maxBytes);
        // Its failure is read below; a rejection must not go unhandled meanwhile.
        staging.catch(() => {});
      });
      form.on("field", (name, value, info) => {
        if (info.valueTruncated) fail(bad(`The field '${name}' is longer than ${MAX_FIELD_BYTES} bytes`, name));
        else if (!(name in fields)) fields[name] = value;
      });
      form.on("filesLimit", () => fail(bad("Send one file per upload")));
      form.on("fieldsLimit", () => fail(bad("Too many form fields", "purpose")));
      form.on("partsLimit", () => fail(bad("Too many form parts", "purpose")));
      form.on("error", (error: Error) => {
        const refusal = bad(`Malformed multipart upload: ${error.message}`);
        part?.destroy(refusal);
        reject(refusal);
      });
      form.on("close", () => resolve());
      const gone = (error?: Error) => {
        const reason = error ?? new Error("the client closed the connection during the upload");
        part?.destroy(reason);
        reject(reason);
      };
      body.once("error", gone);
      body.once("aborted", () => gone());
      body.pipe(form);
    });
  } catch (error) {
    await (staging as Promise<StagedFile> | null)?.then(discardStaged, () => {});
    throw error;
  }
  const staged = staging ? await (staging as Promise<StagedFile>) : null;
  if (failure || truncated || !staged) {
    await discardStaged(staged);
    if (failure) throw failure;
    if (truncated) throw tooLarge(maxBytes);
    throw bad("The upload has no file: send it in a part named 'file'");
  }
  return { staged, filename, fields };
}

/** The form's `purpose` and `expires_after[...]`, checked (each refusal names its field). */
export function uploadFields(fields: Record<string, string>): { purpose: string; expiresAfterSeconds: number | null } {
  const purpose = fields.purpose;
  if (!purpose) throw bad("purpose is required", "purpose");
  if (!(UPLOAD_PURPOSES as readonly string[]).includes(purpose))
    throw bad(`purpose must be one of ${UPLOAD_PURPOSES.join(", ")} (got '${purpose}')`, "purpose");
  const anchor = fields["expires_after[anchor]"];
  const seconds = fields["expires_after[seconds]"];
  if (anchor === undefined && seconds === undefined) return { purpose, expiresAfterSeconds: null };
  if (anchor !== "created_at") throw bad("expires_after[anchor] must be 'created_at'", "expires_after.anchor");
  const parsed = expiresAfterSeconds.safeParse(seconds);
  if (!parsed.success)
    throw bad(
      seconds === undefined ? "expires_after[seconds] is required" : parsed.error.issues[0].message,
      "expires_after.seconds",
    );
  return { purpose, expiresAfterSeconds: parsed.data };
}
