import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";

/** file name inside the model folder → sha256 of its bytes */
export type Manifest = Record<string, string>;

/**
 * Content-addressed storage for artifact files. `put` stores a file under its
 * sha256 (once, however often it is uploaded); `materialize` gives a folder
 * with the manifest's file names that onnxruntime can open. An S3-compatible
 * store implements the same interface, materializing into a local cache.
 */
export interface BlobStore {
  put(sourceFile: string): Promise<{ sha256: string; sizeBytes: number }>;
  has(sha256: string): Promise<boolean>;
  materialize(artifactSha256: string, manifest: Manifest): Promise<string>;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** The artifact's identity: the hash of its sorted manifest. */
export function manifestSha256(manifest: Manifest): string {
  const canonical = Object.keys(manifest)
    .sort()
    .map((name) => `${name}\0${manifest[name]}\n`)
    .join("");
  return createHash("sha256").update(canonical).digest("hex");
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private blobPath(sha256: string) {
    return path.join(this.root, "blobs", sha256.slice(0, 2), sha256);
  }

  async put(sourceFile: string) {
    const sha256 = await sha256File(sourceFile);
    const target = this.blobPath(sha256);
    const { size } = await stat(sourceFile);
    if (!(await this.has(sha256))) {
      await mkdir(path.dirname(target), { recursive: true });
      // Copy to a temporary name, then rename: a crash never leaves a half blob under its hash.
      const temp = `${target}.${randomUUID()}.tmp`;
      await copyFile(sourceFile, temp);
      await rename(temp, target);
    }
    return { sha256, sizeBytes: size };
  }

  /**
   * Moves a staged file whose hash the caller computed while writing it (an upload streamed to disk) into the
   * store, without copying it again. Same file system as the store's root. `created`: this call added the blob
   * (so a caller that then fails may `remove` it without touching anyone else's).
   */
  async adopt(stagedFile: string, sha256: string): Promise<{ created: boolean }> {
    const target = this.blobPath(sha256);
    if (await this.has(sha256)) {
      await rm(stagedFile, { force: true });
      return { created: false };
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(stagedFile, target);
    return { created: true };
  }

  /** The blob's bytes as a stream (errors with ENOENT when it is missing). */
  open(sha256: string) {
    return createReadStream(this.blobPath(sha256));
  }

  /** Deletes a blob; callers make sure no row refers to it any more. */
  async remove(sha256: string) {
    await unlink(this.blobPath(sha256)).catch(() => {});
  }

  async has(sha256: string) {
    return stat(this.blobPath(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** Materializations in progress in this process, so concurrent first requests for a model share one. */
  private readonly materializing = new Map<string, Promise<string>>();

  materialize(artifactSha256: string, manifest: Manifest): Promise<string> {
    let pending = this.materializing.get(artifactSha256);
    if (!pending) {
      pending = this.materializeOnce(artifactSha256, manifest).finally(() => this.materializing.delete(artifactSha256));
      this.materializing.set(artifactSha256, pending);
    }
    return pending;
  }

  private async materializeOnce(artifactSha256: string, manifest: Manifest) {
    const dir = path.join(this.root, "models", artifactSha256);
    const complete = path.join(dir, ".complete");
    const done = () =>
      stat(complete).then(
        () => true,
        () => false,
      );
    if (await done()) return dir;
    const temp = `${dir}.${randomUUID()}.tmp`;
    await mkdir(temp, { recursive: true });
    for (const [name, sha] of Object.entries(manifest)) {
      const target = path.join(temp, name);
      await mkdir(path.dirname(target), { recursive: true });
      // Hard links cost no space; fall back to a copy across file systems.
      await link(this.blobPath(sha), target).catch(() => copyFile(this.blobPath(sha), target));
    }
    await writeFile(path.join(temp, ".complete"), "");
    // Another process may have finished the same folder meanwhile: keep its, drop ours.
    if (await done()) {
      await rm(temp, { recursive: true, force: true });
      return dir;
    }
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      // Lost a race with another process's rename (ENOTEMPTY/EEXIST): its folder is as good as ours.
      if (await done()) return dir;
      throw error;
    }
    return dir;
  }
}
