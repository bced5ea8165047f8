/**
 * `npm start`: database (embedded PostgreSQL unless DATABASE_URL is set),
 * migrations, first-run admin and demo project, a production build when the
 * sources changed, then the console on PORT. `npm run dev` does the same with
 * Next's dev server instead of a build.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildFingerprint, buildIsCurrent, FINGERPRINT_FILE } from "@/scripts/lib/build-fingerprint";
import { moveLegacySecrets, persistentSecret, randomSecret, secretsDir } from "@/scripts/lib/secrets";
import { embeddedPasswordFile, startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb, db } from "@/server/db";
import { env } from "@/server/env";
import { shutdownGraceMs } from "@/server/http/graceful";
import { startHttpServer } from "@/server/http-server";
import { JOB_KINDS, systemJobs } from "@/server/job-kinds";
import { artifactStore } from "@/server/modules/artifacts/store";
import { processKeyUsage } from "@/server/modules/gateway/mount";
import { startPeriodicJobs } from "@/server/modules/jobs/periodic";
import { startJobWorkers } from "@/server/modules/jobs/workers";
import { DEMO_MODEL_NAME, registerDemoModel } from "@/server/modules/models/demo";
import { requestLogWriter, shutdownRequestLog } from "@/server/modules/request-log/runtime";
import { startScheduler } from "@/server/modules/schedules/scheduler";
import { bootstrapAdmin } from "@/server/modules/users/service";

const root = process.cwd();
const dev = process.argv.includes("--dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.CHECKPOINT_DISABLE = "1";
const log = (message: string) => console.log(`[switchyard] ${message}`);
/** Secrets `npm start` generates; installs from before kept them in the data directory. */
const SECRET_NAMES = ["master-key", "auth-secret", "admin-password"] as const;

async function main() {
  const dataDir = path.resolve(root, env().SWITCHYARD_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];

  if (!process.env.DATABASE_URL) {
    const port = env().SWITCHYARD_PG_PORT;
    log(
      `DATABASE_URL is not set: starting the embedded PostgreSQL on port ${port} (data in ${path.relative(root, dataDir)}/postgres)`,
    );
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres"), port, database: "switchyard" });
    process.env.DATABASE_URL = pg.url;
    log(
      `database: ${pg.url.replace(/:[^:@/]*@/, ":…@")} (for npm run gateway, db:* scripts; password in ${path.relative(root, embeddedPasswordFile(path.join(dataDir, "postgres")))})`,
    );
    stops.push(pg.stop);
  }
  // Generated secrets live apart from the data (scripts/lib/secrets.ts); older installs kept them in it.
  const secrets = secretsDir(dataDir, env().SWITCHYARD_SECRETS_DIR);
  for (const name of moveLegacySecrets(dataDir, secrets, SECRET_NAMES))
    log(`moved ${path.relative(root, path.join(dataDir, name))} to ${path.relative(root, path.join(secrets, name))}`);
  process.env.AUTH_SECRET ||= persistentSecret(secrets, "auth-secret", () => randomSecret(32));
  process.env.SWITCHYARD_MASTER_KEY ||= persistentSecret(secrets, "master-key", () => randomSecret(32));
  const generatedPassword = !process.env.ADMIN_PASSWORD;
  process.env.ADMIN_EMAIL ??= "admin@switchyard.local";
  process.env.ADMIN_PASSWORD ??= persistentSecret(secrets, "admin-password", () => randomSecret(12));
  const generatedMetricsToken = !process.env.SWITCHYARD_METRICS_TOKEN && env().SWITCHYARD_METRICS_PUBLIC !== "true";
  if (generatedMetricsToken)
    process.env.SWITCHYARD_METRICS_TOKEN = persistentSecret(secrets, "metrics-token", () => randomSecret(24));
  const config = env();

  const { applied } = await applyMigrations(config.DATABASE_URL!);
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  const seedDb = createDb(config.DATABASE_URL!);
  const admin = await bootstrapAdmin({ db: seedDb }, { email: config.ADMIN_EMAIL!, password: config.ADMIN_PASSWORD! });
  const demo = await registerDemoModel(
    { db: seedDb, store: artifactStore() },
    { projectId: admin.projectId, actor: { type: "system", userId: null, keyId: null, label: "switchyard setup" } },
  );
  if (demo) log(`registered the demo model ${DEMO_MODEL_NAME}@production (v${demo.version}) in "${admin.projectName}"`);
  await seedDb.$disconnect();

  if (!dev) {
    if (buildIsCurrent(root)) log("production build is current");
    else {
      log("building the console (next build; a few minutes on a small machine, only when the sources changed)…");
      const fingerprint = buildFingerprint(root);
      const build = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
        stdio: "inherit",
        env: process.env,
      });
      if (build.status !== 0) throw new Error("next build failed");
      writeFileSync(path.join(root, FINGERPRINT_FILE), fingerprint);
    }
  }

  const graceMs = shutdownGraceMs();
  // Created now: it replays what a previous process left in the spool, before the first request.
  requestLogWriter();
  const server = await startHttpServer({ dev, port: config.PORT, host: config.HOST });
  // Background workers beside the console (SWITCHYARD_WORKERS=0 leaves them to `npm run worker` processes), and
  // the system's recurring jobs (request-log partitions and retention, now and hourly; stale fine-tuning sweeps).
  const workers = process.env.SWITCHYARD_WORKERS === "0" ? undefined : await startJobWorkers(db(), JOB_KINDS);
  const periodic = workers ? startPeriodicJobs(db(), systemJobs()) : undefined;
  // Schedules' fire times, ticked where the workers run (any number of processes may tick at once).
  const scheduler = workers && startScheduler(db());
  const shown = config.HOST === "0.0.0.0" ? "localhost" : config.HOST;
  log(`console ready at http://${shown}:${config.PORT}`);
  // The generated password is printed once, when the account is created with it: later starts say where it is
  // kept instead of putting it in every log a process supervisor collects.
  const kept = `${path.relative(root, secrets)}/admin-password`;
  log(
    `sign in as ${admin.email} with password ${
      !generatedPassword
        ? "from ADMIN_PASSWORD"
        : admin.createdUser
          ? `${config.ADMIN_PASSWORD} (generated now, shown only this once; kept in ${kept})`
          : `kept in ${kept}`
    }`,
  );
  log(
    config.SWITCHYARD_METRICS_PUBLIC === "true"
      ? "GET /metrics is public (SWITCHYARD_METRICS_PUBLIC=true)"
      : `GET /metrics with 'Authorization: Bearer ${generatedMetricsToken ? `${config.SWITCHYARD_METRICS_TOKEN}' (generated, kept in ${path.relative(root, secrets)}/metrics-token)` : "<SWITCHYARD_METRICS_TOKEN>'"}`,
  );
  log(`organisation "${admin.organizationName}", project "${admin.projectName}" (${admin.projectId})`);

  // No new connections; open requests and streams get the grace period (then gateway streams end with a final
  // error event), every one logged; then key usage and the request log are flushed before the database stops
  // (rows Postgres cannot take now stay in the spool for the next start).
  const shutdown = async (signal: string) => {
    log(`${signal}: shutting down, open requests have up to ${graceMs / 1000} s`);
    const drained = await server.close(graceMs);
    if (drained.open > 0)
      log(`${drained.open} request(s) were open, ${drained.cut} cut at the end of the grace period`);
    periodic?.stop();
    await scheduler?.stop();
    await workers?.stop(graceMs);
    await processKeyUsage()
      .close()
      .catch(() => {});
    await shutdownRequestLog().catch(() => {});
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(`[switchyard] failed to start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
