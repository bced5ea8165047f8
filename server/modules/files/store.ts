import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { env } from "@/server/env";
import { DomainError } from "@/server/errors";
import { LocalBlobStore } from "@/server/modules/artifacts/blob-store";

const globalForStore = globalThis as unknown as { switchyardFileStore?: { root: string; store: LocalBlobStore } };

function filesRoot(): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), env().SWITCHYARD_DATA_DIR, "files");
}

/** The data directory's file store (SWITCHYARD_DATA_DIR/files/blobs), content-addressed like artifacts. */
export function fileStore(): LocalBlobStore {
  const root = filesRoot();
  // Per root: tests point SWITCHYARD_DATA_DIR at a folder of their own.
  if (globalForStore.switchyardFileStore?.root !== root)
    globalForStore.switchyardFileStore = { root, store: new LocalBlobStore(root) };
  return globalForStore.switchyardFileStore.store;
}

/** A file written to the staging folder (same file system as the store), its hash taken on the way. */
export interface StagedFile {
  path: string;
  sha256: string;
  bytes: number;
}

export const tooLarge = (maxBytes: number) =>
  new DomainError(
    "PAYLOAD_TOO_LARGE",
    `The file is larger than ${formatBytes(maxBytes)} (the limit, SWITCHYARD_FILES_MAX_MB)`,
    [{ path: "file", message: "too large" }],
  );

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  return `${bytes} bytes`;
}

/**
 * Streams `source` to a new staging file, hashing it, refusing (413) past `maxBytes` without reading further.
 * Nothing is left behind when it fails.
 */
export async function stageStream(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number): Promise<StagedFile> {
  const dir = path.join(filesRoot(), "staging");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.upload`);
  const hash = createHash("sha256");
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, count, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { path: file, sha256: hash.digest("hex"), bytes };
}

export async function discardStaged(staged: StagedFile | null | undefined) {
  if (staged) await rm(staged.path, { force: true });
}
