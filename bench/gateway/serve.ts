/**
 * Child process of bench/gateway/run.ts: the standalone Switchyard gateway on 127.0.0.1 (port 0) with the
 * process-wide sink, i.e. the real batching request-log writer on DATABASE_URL (logging on). Prints
 * `{"origin": ...}` when listening; on SIGTERM closes, flushes the log and prints `{"stats": writer stats}`.
 */
import { startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { shutdownRequestLog } from "@/server/modules/request-log/runtime";

if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL must be set");
const gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ origin: gateway.origin }));
process.once("SIGTERM", async () => {
  await gateway.close();
  const stats = await shutdownRequestLog({ timeoutMs: 10_000 });
  console.log(JSON.stringify({ stats }));
  process.exit(0);
});
