import { timingSafeEqual } from "node:crypto";
import { env } from "@/server/env";

/**
 * Who may scrape /metrics. By default only a caller with the token
 * (SWITCHYARD_METRICS_TOKEN, which `npm start` generates into the secrets
 * folder and prints): the counters name models, keys and projects' traffic.
 * SWITCHYARD_METRICS_PUBLIC=true opens it explicitly. Null: go ahead; else
 * the refusal to send.
 */
export function metricsRefusal(req: Request): Response | null {
  const config = env();
  if (config.SWITCHYARD_METRICS_PUBLIC === "true") return null;
  const token = config.SWITCHYARD_METRICS_TOKEN;
  if (!token)
    return new Response(
      "/metrics is closed: set SWITCHYARD_METRICS_TOKEN (npm start generates one) and send it as a Bearer token, or set SWITCHYARD_METRICS_PUBLIC=true\n",
      { status: 403 },
    );
  const sent = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "");
  const want = Buffer.from(token);
  if (sent.length !== want.length || !timingSafeEqual(sent, want))
    return new Response("/metrics needs 'Authorization: Bearer <SWITCHYARD_METRICS_TOKEN>'\n", {
      status: 401,
      headers: { "www-authenticate": "Bearer" },
    });
  return null;
}
