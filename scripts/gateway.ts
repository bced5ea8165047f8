/**
 * `npm run gateway`: the `/v1` gateway alone on GATEWAY_PORT (default 3001),
 * for scaling out behind a load balancer. Stateless apart from caches; it
 * needs DATABASE_URL (the same database as the console) and
 * SWITCHYARD_MASTER_KEY when upstream keys are stored.
 */
import { env } from "@/server/env";
import { startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { requestLogWriter } from "@/server/modules/request-log/runtime";

const config = env();
if (!config.DATABASE_URL) {
  console.error("[gateway] set DATABASE_URL to the console's database (npm start prints the embedded one's URL)");
  process.exit(2);
}
const port = Number(process.env.GATEWAY_PORT ?? 3001);
const gateway = await startStandaloneGateway({ port, host: config.HOST });
console.log(`[gateway] OpenAI-compatible API at ${gateway.origin}/v1`);
const shutdown = async () => {
  await gateway.close();
  await requestLogWriter().close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
