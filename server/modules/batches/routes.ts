import type { GatewayExtension } from "@/server/modules/gateway/extensions";
import { decodePathId } from "@/server/modules/gateway/http-request";
import { getBatch, getBatches, postBatch, postCancel } from "./http";

/** `/v1/batches`, `/v1/batches/{id}`, `/v1/batches/{id}/cancel`. */
export const batchRoutes: GatewayExtension = (method, path) => {
  if (path === "/v1/batches") return method === "GET" ? getBatches : method === "POST" ? postBatch : 405;
  const found = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (!found) return undefined;
  const id = decodePathId(found[1]);
  if (id === null) return 404;
  if (found[2]) return method === "POST" ? (ctx) => postCancel(ctx, id) : 405;
  return method === "GET" ? (ctx) => getBatch(ctx, id) : 405;
};
