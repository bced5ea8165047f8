/**
 * `npm run gateway`: the `/v1` gateway alone on GATEWAY_PORT (default 3001),
 * for scaling out behind a load balancer. Stateless apart from caches; it
 * needs DATABASE_URL (the same database as the console) and
 * SWITCHYARD_MASTER_KEY when upstream keys are stored.
 */

import { env } from "@/server/env";
import { shutdownGraceMs } from "@/server/http/graceful";
import { startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { requestLogWriter, shutdownRequestLog } from "@/server/modules/request-log/runtime";
import { installV1Extensions } from "@/server/v1-extensions";

const config = env();
if (!config.DATABASE_URL) {
  console.error("[gateway] set DATABASE_URL to the console's database (npm start prints the embedded one's URL)");
  process.exit(2);
}
const port = Number(process.env.GATEWAY_PORT ?? 3001);
const graceMs = shutdownGraceMs();
// Created now: it replays what a previous process left in the spool, before the first request.
requestLogWriter();
installV1Extensions();
const gateway = await startStandaloneGateway({ port, host: config.HOST });
console.log(`[gateway] OpenAI-compatible API at ${gateway.origin}/v1`);
// SIGTERM: no new connections; open requests and streams get the grace period, then a final error event; every
// one is logged; the log is flushed (what Postgres cannot take now stays in the spool for the next start).
const shutdown = async (signal: string) => {
  console.log(`[gateway] ${signal}: stopping, open requests have up to ${graceMs / 1000} s`);
  const drained = await gateway.close({ graceMs });
  const log = await shutdownRequestLog();
  console.log(
    `[gateway] stopped: ${drained.open} request(s) open at ${signal}, ${drained.cut} cut at the end of the grace ` +
      `period; request log ${log?.written ?? 0} written, ${log?.dropped ?? 0} dropped, ` +
      `${((log?.spool?.bytes ?? 0) / 1024).toFixed(0)} KiB left in the spool`,
  );
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
