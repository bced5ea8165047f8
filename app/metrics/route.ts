import { timingSafeEqual } from "node:crypto";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "@/server/modules/request-log/prometheus";
import { requestLogPool, requestLogWriter } from "@/server/modules/request-log/runtime";

export const dynamic = "force-dynamic";

/**
 * Prometheus scrape endpoint: aggregate counters only, no request contents.
 * With SWITCHYARD_METRICS_TOKEN set, scrapers must send it as a Bearer token.
 */
export async function GET(req: Request) {
  const token = process.env.SWITCHYARD_METRICS_TOKEN;
  if (token) {
    const sent = Buffer.from(req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "");
    const want = Buffer.from(token);
    if (sent.length !== want.length || !timingSafeEqual(sent, want))
      return new Response("unauthorized\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  const body = await renderPrometheus({ writer: requestLogWriter(), db: requestLogPool() });
  return new Response(body, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
}
