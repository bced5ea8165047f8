import { authorizeRequest, type RequestDeps } from "@/server/auth/request";
import { errorResponse } from "@/server/http/responses";
import { ingestArtifact, withStagingDir } from "@/server/modules/artifacts/service";
import { artifactStore } from "@/server/modules/artifacts/store";
import { receiveUpload } from "@/server/modules/artifacts/upload";

/**
 * POST /api/rest/artifacts/upload — multipart/form-data, one `files` part per
 * file of a Hugging Face style ONNX folder. 201 with the artifact, 200 when
 * the same files were already stored, 422 with the reason when the folder is
 * not a loadable ONNX causal LM with a tokenizer (and nothing is kept).
 */
export async function handleArtifactUpload(req: Request, deps: RequestDeps): Promise<Response> {
  try {
    const caller = await authorizeRequest(req, deps, "models:write");
    const artifact = await withStagingDir(async (dir) => {
      const { ignored } = await receiveUpload(req, dir);
      const summary = await ingestArtifact({ db: deps.db, caller, store: artifactStore() }, { stagingDir: dir });
      return { ...summary, ignoredFiles: ignored };
    });
    return Response.json(artifact, { status: artifact.deduplicated ? 200 : 201 });
  } catch (error) {
    return errorResponse(error);
  }
}
