import { bearerToken } from "@/server/auth/api-key";
import { authorizeRequest, type RequestDeps } from "@/server/auth/request";
import { DomainError, notFound } from "@/server/errors";
import { errorResponse } from "@/server/http/responses";
import { ImportRejectedError } from "@/server/modules/datasets/core/issues";
import { importQuery } from "@/server/modules/datasets/schemas";
import { exportVersion, importDataset } from "@/server/modules/datasets/service";

const PROJECT_HEADER = "x-switchyard-project";

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

/**
 * GET /api/rest/datasets/versions/{id}/export?split=all|train|validation — OpenAI chat JSONL, streamed, as a
 * download named `<dataset>-v<version>-<split>.jsonl`. An API key exports from its own project; a signed-in
 * browser (a plain link, no project header) exports from the version's own project, as a member with
 * `datasets:read` there.
 */
export async function handleDatasetExport(req: Request, deps: RequestDeps, versionId: string): Promise<Response> {
  try {
    const param = new URL(req.url).searchParams.get("split") ?? "all";
    if (param !== "all" && param !== "train" && param !== "validation")
      throw new DomainError("VALIDATION", `split must be all, train or validation (got '${param.slice(0, 40)}')`, [
        { path: "split", message: "all, train or validation" },
      ]);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(versionId))
      throw new DomainError("VALIDATION", "id must be a UUID", [{ path: "id", message: "Not a UUID" }]);
    const caller = await exportCaller(req, deps, versionId);
    const split = param === "all" ? undefined : param;
    const { version, stream } = await exportVersion({ db: deps.db, caller }, { versionId, split });
    return new Response(stream, {
      headers: {
        "content-type": "application/jsonl; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFileName(version.dataset.name, version.version, param)}"`,
        "x-content-hash": version.contentHash,
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}

/** `support/tickets`, v3, train → `support_tickets-v3-train.jsonl` (safe in a quoted header value). */
function exportFileName(dataset: string, version: number, split: string): string {
  return `${dataset.replaceAll(/[^A-Za-z0-9._-]/g, "_")}-v${version}-${split}.jsonl`;
}

/**
 * Who exports. A request with a project header or an API key is authorized as any other; a browser following
 * a link sends neither, so the project is the version's own (its membership and scope are still checked).
 */
async function exportCaller(req: Request, deps: RequestDeps, versionId: string) {
  if (req.headers.has(PROJECT_HEADER) || bearerToken(req.headers)) return authorizeRequest(req, deps, "datasets:read");
  const owner = await deps.db.datasetVersion.findUnique({
    where: { id: versionId },
    select: { dataset: { select: { projectId: true } } },
  });
  if (!owner) {
    // Signed out: 401 as anywhere else; signed in: the version does not exist.
    if (!(await deps.session()))
      throw new DomainError("UNAUTHENTICATED", "Sign in or send 'Authorization: Bearer <api key>'");
    throw notFound("Dataset version", versionId);
  }
  const headers = new Headers(req.headers);
  headers.set(PROJECT_HEADER, owner.dataset.projectId);
  return authorizeRequest(new Request(req.url, { headers }), deps, "datasets:read");
}
