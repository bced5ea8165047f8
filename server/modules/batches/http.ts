// `/v1/batches` on the gateway: OpenAI's Batch API for the key's project.
import type { z } from "zod";
import { createBatchInput, listBatchesQuery } from "@/lib/batches";
import { DomainError } from "@/server/errors";
import type { ExtensionContext } from "@/server/modules/gateway/extensions";
import { readJsonObject } from "@/server/modules/gateway/http-request";
import { jsonResponse } from "@/server/modules/gateway/json-response";
import type { GatewayRequest } from "@/server/modules/gateway/request-scope";
import { cancelBatch, createBatch, listBatches, retrieveBatch } from "./service";

type BatchRouteContext = ExtensionContext;

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join(".") || "body";
  throw new DomainError(
    "BAD_REQUEST",
    `Invalid '${field}': ${issue.message}`,
    result.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message })),
  );
}

const answer = (scope: GatewayRequest, body: unknown) => {
  scope.finish({ status: 200 });
  return jsonResponse(body, { headers: { "x-request-id": scope.id } });
};

export async function postBatch({ db, principal, scope, req }: BatchRouteContext): Promise<Response> {
  const input = parse(createBatchInput, await readJsonObject(req, 64 * 1024));
  const batch = await createBatch(
    {
      db,
      projectId: principal.projectId,
      apiKeyId: principal.keyId,
      createdBy: { userId: null, label: principal.label },
    },
    input,
  );
  return answer(scope, batch);
}

export async function getBatches({ db, principal, scope, req }: BatchRouteContext): Promise<Response> {
  const params = Object.fromEntries(new URL(req.url, "http://localhost").searchParams);
  return answer(scope, await listBatches(db, principal.projectId, parse(listBatchesQuery, params)));
}

export async function getBatch(ctx: BatchRouteContext, id: string): Promise<Response> {
  return answer(ctx.scope, await retrieveBatch(ctx.db, ctx.principal.projectId, id));
}

export async function postCancel(ctx: BatchRouteContext, id: string): Promise<Response> {
  return answer(ctx.scope, await cancelBatch(ctx.db, ctx.principal.projectId, id));
}
