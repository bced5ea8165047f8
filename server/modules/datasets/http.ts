import { authorizeRequest, type RequestDeps } from "@/server/auth/request";
import { DomainError } from "@/server/errors";
import { errorResponse } from "@/server/http/responses";
import { ImportRejectedError } from "@/server/modules/datasets/core/issues";
import { importQuery } from "@/server/modules/datasets/schemas";
import { exportVersion, importDataset } from "@/server/modules/datasets/service";

/**
 * POST /api/rest/datasets/import?name=…|datasetId=…&format=auto|chat|completion&mode=strict|lenient
 * [&maxRejectedFraction=0.1] with the JSONL file as the request body, streamed
 * through the validator into PostgreSQL (never held in memory). 201 with the
 * new version; 422 when the file is refused (nothing is stored), the REST
 * error body plus `errors`, `errorCount`, `warnings`, `warningCount`,
 * `truncated` (see `ImportRejection`).
 */
export async function handleDatasetImport(req: Request, deps: RequestDeps): Promise<Response> {
  try {
    const caller = await authorizeRequest(req, deps, "datasets:write");
    const query = importQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
    if (!req.body) throw new DomainError("BAD_REQUEST", "Send the JSONL file as the request body");
    const result = await importDataset({ db: deps.db, caller }, { ...query, source: req.body });
    return Response.json(result, { status: 201 });
  } catch (error) {
    if (error instanceof ImportRejectedError)
      return Response.json(
        {
          error: {
            message: error.message,
            code: error.code,
            status: error.httpStatus,
            issues: error.issues,
            ...error.rejection,
          },
        },
        { status: error.httpStatus },
      );
    return errorResponse(error);
  }
}

/** GET /api/rest/datasets/versions/{id}/export?split=train|validation — OpenAI chat JSONL, streamed. */
export async function handleDatasetExport(req: Request, deps: RequestDeps, versionId: string): Promise<Response> {
  try {
    const caller = await authorizeRequest(req, deps, "datasets:read");
    const split = new URL(req.url).searchParams.get("split") ?? undefined;
    if (split && split !== "train" && split !== "validation")
      throw new DomainError("VALIDATION", "split must be train or validation", [
        { path: "split", message: "train or validation" },
      ]);
    if (!/^[0-9a-f-]{36}$/i.test(versionId))
      throw new DomainError("VALIDATION", "id must be a UUID", [{ path: "id", message: "Not a UUID" }]);
    const { version, stream } = await exportVersion({ db: deps.db, caller }, { versionId, split });
    const file = `${version.dataset.name.replaceAll("/", "_")}-v${version.version}${split ? `-${split}` : ""}.jsonl`;
    return new Response(stream, {
      headers: {
        "content-type": "application/jsonl; charset=utf-8",
        "content-disposition": `attachment; filename="${file}"`,
        "x-content-hash": version.contentHash,
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
