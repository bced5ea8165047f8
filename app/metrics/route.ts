import { metricsRefusal } from "@/server/auth/metrics-access";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "@/server/modules/request-log/prometheus";
import { requestLogPool, requestLogWriter } from "@/server/modules/request-log/runtime";

export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint: aggregate counters only, no request contents; needs its token unless opened. */
export async function GET(req: Request) {
  const refused = metricsRefusal(req);
  if (refused) return refused;
  const body = await renderPrometheus({ writer: requestLogWriter(), db: requestLogPool() });
  return new Response(body, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
}
