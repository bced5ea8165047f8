/**
 * Dataset import end to end, through the REST endpoint into PostgreSQL,
 * beside `psql \copy` of the same file in the same run:
 *
 *   npx tsx bench/datasets/endpoint.ts [--mb 1024] [--reps 1] [--file path] [--keep]
 *   BENCH_DATABASE_URL=postgresql://… (a server to create the bench database on; default the local 5432)
 *
 * 1. Writes the seeded chat JSONL file of `--mb` MiB (bench/datasets/generate.ts)
 *    to a temp folder (deleted afterwards unless --keep).
 * 2. Creates a fresh database with the migrations, a project and an API key.
 * 3. Baseline: `psql -c "\copy … FROM file"` into a one-column text table (CSV
 *    with quote and delimiter bytes the file lacks, so each line is one value,
 *    untouched). Without psql on the PATH, the same COPY … FROM STDIN through
 *    pg-copy-streams from this process (the output says which ran).
 * 4. Switchyard: POST /api/rest/datasets/import?mode=lenient with the file as
 *    the streamed body (the file has ~0.1 % broken lines, so strict would
 *    refuse it), served by bench/datasets/endpoint-server.ts in its own
 *    process; its peak RSS is sampled every 20 ms. Wall time from the first
 *    byte sent to the 201.
 *
 * The run fails unless the endpoint makes ≥ 30 MB/s (MiB/s) under 300 MiB peak RSS.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createDatabase, databaseUrl, dropDatabase } from "@/server/database/admin";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { cpuTimeUs, HERE, startChild, stopChild } from "../gateway/harness";
import { generate } from "./generate";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "1024" },
    reps: { type: "string", default: "1" },
    file: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const CSV = `(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;

async function copyBaseline(url: string, file: string): Promise<{ seconds: number; how: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("DROP TABLE IF EXISTS copy_baseline; CREATE TABLE copy_baseline (line text)");
    const psql = spawnSync("psql", ["--version"], { encoding: "utf8" });
    const started = performance.now();
    if (psql.status === 0) {
      const run = spawnSync(
        "psql",
        [url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy copy_baseline (line) FROM '${file}' WITH ${CSV}`],
        {
          encoding: "utf8",
        },
      );
      if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
      return { seconds: (performance.now() - started) / 1000, how: `psql \\copy (${psql.stdout.trim()})` };
    }
    await pipeline(createReadStream(file), client.query(copyFrom(`COPY copy_baseline (line) FROM STDIN WITH ${CSV}`)));
    return { seconds: (performance.now() - started) / 1000, how: "COPY FROM STDIN via pg-copy-streams (no psql)" };
  } finally {
    await client.end();
  }
}

function post(url: string, file: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/jsonl" },
    });
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(request);
  });
}

/** CPU seconds of the bench database's PostgreSQL backends (Linux /proc; the server must be on this machine). */
async function backendCpu(db: ReturnType<typeof createDb>, name: string): Promise<Map<number, number>> {
  const rows = await db.$queryRawUnsafe<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    name,
  );
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      out.set(pid, cpuTimeUs(pid) / 1e6);
    } catch {
      // not on this machine, or gone
    }
  }
  return out;
}

const spent = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, s]) => sum + s - (before.get(pid) ?? 0), 0);

async function rss(origin: string, reset = false): Promise<{ rss: number; peakRss: number }> {
  return (await fetch(`${origin}/rss${reset ? "?reset=1" : ""}`)).json() as Promise<{ rss: number; peakRss: number }>;
}

async function main() {
  const megabytes = Number(values.mb);
  const reps = Number(values.reps);
  const dir = values.file ? undefined : mkdtempSync(path.join(os.tmpdir(), "switchyard-bench-endpoint-"));
  const file = values.file ?? path.join(dir as string, "dataset.jsonl");
  const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `bench_datasets_${Date.now()}`;
  let child: Awaited<ReturnType<typeof startChild>>["child"] | undefined;
  try {
    if (!values.file) {
      const t0 = performance.now();
      const { lines } = await generate(file, megabytes);
      console.log(`generated ${file}: ${lines} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const mib = statSync(file).size / 2 ** 20;
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    await createDatabase(serverUrl, name);
    const url = databaseUrl(serverUrl, name);
    await applyMigrations(url);
    const db = createDb(url);
    const project = await makeProject(db);
    const { key } = await makeApiKey(db, project.project.id);
    const server = await startChild(
      path.join(HERE, "../datasets/endpoint-server.ts"),
      [],
      { DATABASE_URL: url },
      {
        tsx: false,
        bundle: true,
      },
    );
    child = server.child;
    const origin = String(server.first.origin);

    const rows: { run: string; seconds: number; peak?: number; idle?: number }[] = [];
    let how = "";
    for (let rep = 0; rep < reps; rep++) {
      const baseline = await copyBaseline(url, file);
      how = baseline.how;
      rows.push({ run: "baseline", seconds: baseline.seconds });

      const idle = (await rss(origin, true)).rss;
      const pgBefore = await backendCpu(db, name);
      const nodeBefore = cpuTimeUs(child.pid ?? 0) / 1e6;
      const started = performance.now();
      const answer = await post(`${origin}/api/rest/datasets/import?name=bench-${rep}&mode=lenient`, file, key);
      const seconds = (performance.now() - started) / 1000;
      if (answer.status !== 201) throw new Error(`import answered ${answer.status}: ${answer.body.slice(0, 2000)}`);
      const { peakRss } = await rss(origin);
      const nodeCpu = cpuTimeUs(child.pid ?? 0) / 1e6 - nodeBefore;
      const pgCpu = spent(pgBefore, await backendCpu(db, name));
      rows.push({ run: "endpoint", seconds, peak: peakRss, idle });
      console.log(`rep ${rep + 1}: CPU seconds: server ${nodeCpu.toFixed(1)}, PostgreSQL backends ${pgCpu.toFixed(1)}`);
      const version = JSON.parse(answer.body).version;
      console.log(
        `rep ${rep + 1}: ${version.exampleCount} examples, ${version.report.issues.rejectedLines} rejected lines, content hash ${version.contentHash}`,
      );
    }
    const sizes = (
      await db.$queryRawUnsafe<{ t: string; mib: number }[]>(
        `SELECT relname AS t, pg_total_relation_size(oid) / 1048576.0 AS mib FROM pg_class
          WHERE relname IN ('copy_baseline', 'dataset_examples', 'dataset_version_examples')`,
      )
    ).map((r) => `${r.t} ${Number(r.mib).toFixed(0)} MiB`);
    await db.$disconnect();

    console.log(`\nfile: ${mib.toFixed(1)} MiB; baseline: ${how}; on disk after the run: ${sizes.join(", ")}`);
    console.log("\n| run | s | MB/s | server RSS idle → peak MiB |\n| --- | ---: | ---: | ---: |");
    for (const row of rows) {
      const label =
        row.run === "baseline" ? "baseline: \\copy into a text column" : "Switchyard POST /api/rest/datasets/import";
      const memory = row.peak === undefined ? "–" : `${row.idle?.toFixed(0)} → ${row.peak.toFixed(0)}`;
      console.log(`| ${label} | ${row.seconds.toFixed(2)} | ${(mib / row.seconds).toFixed(1)} | ${memory} |`);
    }
    const endpoint = rows.filter((r) => r.run === "endpoint");
    const slowest = Math.max(...endpoint.map((r) => r.seconds));
    const peak = Math.max(...endpoint.map((r) => r.peak ?? 0));
    const ok = mib / slowest >= 30 && peak < 300;
    console.log(`targets (>= 30 MB/s, < 300 MiB peak RSS): ${ok ? "met" : "NOT met"}`);
    if (!ok) process.exitCode = 1;
  } finally {
    if (child) await stopChild(child);
    await dropDatabase(serverUrl, name).catch(() => undefined);
    if (dir && !values.keep) rmSync(dir, { recursive: true, force: true });
    else if (dir) console.log(`kept ${file}`);
  }
}

await main();
