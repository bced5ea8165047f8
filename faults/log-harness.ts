/**
 * Shared by the request-log fault tests (faults/log-*.fault.test.ts): the gateway as `npm run gateway` runs it
 * (`node scripts/run.mjs scripts/gateway.ts`, the esbuild bundle) in a child process, a project with a key and an
 * upstream model `echo` served by a fake upstream in this process, load that counts the answered requests by
 * their `x-request-id`, and the request log read back from Postgres.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import type { Db } from "@/server/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { freePort } from "@/server/testing/ports";

export interface GatewayProcess {
  child: ChildProcess;
  origin: string;
  /** Every line it printed (stdout and stderr), as printed. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the gateway on a free port; resolves once it listens. `env` adds to (or overrides) the defaults. */
export async function startGateway(options: {
  databaseUrl: string;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve("scripts/run.mjs"), "scripts/gateway.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      GATEWAY_PORT: String(port),
      HOST: "127.0.0.1",
      SWITCHYARD_DATA_DIR: options.dataDir,
      // The fake upstream is on loopback.
      SWITCHYARD_UPSTREAM_ALLOW: "127.0.0.1",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on("line", (line) => output.push(line));
  const deadline = Date.now() + 60_000;
  while (!output.some((line) => line.includes("OpenAI-compatible API at"))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the gateway did not start:\n${output.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, origin: `http://127.0.0.1:${port}`, output, exited };
}

/** A project, a key and the upstream model `echo` at `upstreamOrigin`. */
export async function echoProject(db: Db, upstreamOrigin: string): Promise<{ key: string }> {
  const { project, owner } = await makeProject(db, "Faults");
  const key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  const caller = callerFor(db, owner.principal, project.id);
  const model = await caller.models.create({ name: "echo", provider: "openai-compatible", task: "chat" });
  await caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${upstreamOrigin}/v1`,
    upstreamModelId: "m",
  });
  return { key };
}

export const chatBody = (stream = false) =>
  JSON.stringify({ model: "echo", stream, messages: [{ role: "user", content: "ping" }] });

/**
 * `connections` loops of non-streamed chat requests until `running()` is false. A request is answered when its
 * 200 and whole body arrived; its id goes into `answered`. Connection errors (the gateway killed) are counted.
 */
export function startLoad(origin: string, key: string, connections: number) {
  const answered = new Set<string>();
  let failed = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const res = await fetch(`${origin}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: chatBody(),
        });
        await res.arrayBuffer();
        const id = res.headers.get("x-request-id");
        if (res.status === 200 && id) answered.add(id);
        else failed++;
      } catch {
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const loops = Array.from({ length: connections }, loop);
  return {
    answered,
    get failed() {
      return failed;
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Waits until `answered.size` reaches `count` (bounded: a loaded machine may be slow). */
export async function waitForAnswers(answered: Set<string>, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (answered.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (answered.size < count) throw new Error(`only ${answered.size} of ${count} requests answered in ${timeoutMs} ms`);
}

/** Ids of `ids` that have no request_log row (one query per 10,000). */
async function missingRows(databaseUrl: string, ids: Iterable<string>): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const all = [...ids];
    const missing: string[] = [];
    for (let i = 0; i < all.length; i += 10_000) {
      const chunk = all.slice(i, i + 10_000);
      const { rows } = await client.query<{ id: string }>(
        "SELECT x.id FROM unnest($1::uuid[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM request_log r WHERE r.id = x.id)",
        [chunk],
      );
      missing.push(...rows.map((row) => row.id));
    }
    return missing;
  } finally {
    await client.end();
  }
}

/** Polls until every id has a row, or the time is up; returns those still missing. */
export async function waitForRows(databaseUrl: string, ids: Iterable<string>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let missing = await missingRows(databaseUrl, ids);
  while (missing.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    missing = await missingRows(databaseUrl, missing);
  }
  return missing;
}

/** Rows per id of `ids` (to see each request logged exactly once) and their statuses. */
export async function rowsOf(
  databaseUrl: string,
  ids: string[],
): Promise<{ id: string; status: number; error_code: string | null }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT id, status, error_code FROM request_log WHERE id = ANY($1::uuid[])", [
      ids,
    ]);
    return rows;
  } finally {
    await client.end();
  }
}
