import path from "node:path";
import { env } from "@/server/env";
import { type BlobStore, LocalBlobStore } from "@/server/modules/artifacts/blob-store";

const globalForStore = globalThis as unknown as { switchyardArtifactStore?: BlobStore };

/** The data directory's artifact store (SWITCHYARD_DATA_DIR/artifacts). */
export function artifactStore(): BlobStore {
  globalForStore.switchyardArtifactStore ??= new LocalBlobStore(artifactsRoot());
  return globalForStore.switchyardArtifactStore;
}

export function artifactsRoot(): string {
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), env().SWITCHYARD_DATA_DIR, "artifacts");
}
