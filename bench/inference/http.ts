/**
 * Dynamic batching through the user path: POST /v1/completions on the standalone gateway (real HTTP, API key,
 * model resolution, request log; the same generation path as /v1/chat/completions, whose answers from the test
 * model are always the 14-token demo reply) serving the benchmark model in-process, 1 and 8 concurrent
 * requests, against two gateway processes that differ only in SWITCHYARD_INFERENCE_MAX_BATCH (1: one at a
 * time, 8: batching). Embedded PostgreSQL; greedy; the run fails if the two gateways' texts differ.
 *
 *   npx tsx bench/inference/http.ts [--tokens 128] [--reps 3]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { systemCaller } from "@/server/auth/caller";
import { createDatabase } from "@/server/database/admin";
import { startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { LocalBlobStore } from "@/server/modules/artifacts/blob-store";
import { ingestArtifact } from "@/server/modules/artifacts/service";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { cleanups, HERE, median, startChild, tearDown } from "../gateway/harness";

const { values } = parseArgs({
  options: { tokens: { type: "string", default: "128" }, reps: { type: "string", default: "3" } },
});
const NEW_TOKENS = Number(values.tokens);
const REPS = Number(values.reps);
const STREAMS = 8;

try {
  const root = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-http-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dataDir = path.join(root, "data");
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(root, "pg"),
    port: 54348,
    database: "postgres",
    fast: true,
  });
  cleanups.unshift(pg.stop);
  const dbName = `bench_http_${Date.now()}`;
  await createDatabase(pg.url, dbName);
  const url = pg.url.replace(/\/[^/]*$/, `/${dbName}`);
  await applyMigrations(url);
  const db = createDb(url);
  cleanups.unshift(() => db.$disconnect());
  const { project, owner } = await makeProject(db, "bench");
  const key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  const staging = path.join(root, "staging");
  await writeTestModel(staging, BENCH_MODEL_OPTIONS);
  const actor = { type: "user" as const, userId: owner.user.id, keyId: null, label: owner.user.email };
  const artifact = await ingestArtifact(
    { db, store: new LocalBlobStore(path.join(dataDir, "artifacts")), caller: systemCaller(project.id, actor) },
    { stagingDir: staging },
  );
  const caller = callerFor(db, owner.principal, project.id);
  const model = await caller.models.create({ name: "bench-local", provider: "onnx-local", task: "chat" });
  await caller.models.createVersion({ modelId: model.id, artifactId: artifact.id });

  const gateways: { name: string; origin: string }[] = [];
  for (const batch of ["1", "8"]) {
    const child = await startChild(
      path.join(HERE, "serve.ts"),
      [],
      {
        DATABASE_URL: url,
        SWITCHYARD_DATA_DIR: dataDir,
        SWITCHYARD_INFERENCE_DEVICE: "cpu",
        SWITCHYARD_INFERENCE_MAX_BATCH: batch,
      },
      { tsx: true },
    );
    gateways.push({
      name: batch === "1" ? "one at a time (MAX_BATCH 1)" : "batching (MAX_BATCH 8)",
      origin: String(child.first.origin),
    });
  }

  // Letters only: the test model continues the alphabet without an end, so every answer runs to max_tokens
  // (its chat answer is always a 14-token reply). 70 tokens, different per request.
  const promptOf = (i: number) =>
    Array.from({ length: 70 }, (_, k) => String.fromCharCode(97 + ((k * (i + 3)) % 26))).join("");
  const request = async (origin: string, i: number) => {
    const response = await fetch(`${origin}/v1/completions`, {
      method: "POST",
      // The same requests every round: "bypass" keeps the response cache out of it.
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-switchyard-cache": "bypass" },
      body: JSON.stringify({ model: "bench-local@1", prompt: promptOf(i), max_tokens: NEW_TOKENS, temperature: 0 }),
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const body = (await response.json()) as { choices: { text: string }[]; usage: { completion_tokens: number } };
    return { text: body.choices[0].text, tokens: body.usage.completion_tokens };
  };
  const round = async (origin: string, streams: number) => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: streams }, (_, i) => request(origin, i)));
    const ms = performance.now() - started;
    const tokens = results.reduce((sum, r) => sum + r.tokens, 0);
    return { tps: (tokens / ms) * 1000, tokens: tokens / streams, texts: results.map((r) => r.text) };
  };

  const warm = await Promise.all(gateways.map((g) => round(g.origin, STREAMS)));
  if (warm[0].texts.join("\n") !== warm[1].texts.join("\n")) throw new Error("texts differ between the gateways");
  const meanTokens = warm[0].tokens;
  const cells = new Map<string, number[]>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const streams of [1, STREAMS]) {
      for (const g of gateways) {
        const keyOf = `${g.name}|${streams}`;
        cells.set(keyOf, [...(cells.get(keyOf) ?? []), (await round(g.origin, streams)).tps]);
      }
    }
  }
  console.log(
    `POST /v1/completions, up to ${NEW_TOKENS} new tokens, greedy (mean ${meanTokens.toFixed(1)} tokens per answer); median of ${REPS} rounds\n`,
  );
  console.log("| gateway | concurrent requests | aggregate tokens/s |");
  console.log("| --- | ---: | ---: |");
  for (const g of gateways) {
    for (const streams of [1, STREAMS])
      console.log(`| ${g.name} | ${streams} | ${median(cells.get(`${g.name}|${streams}`)!).toFixed(1)} |`);
  }
  const b = gateways[1].name;
  const ratio = median(cells.get(`${b}|${STREAMS}`)!) / median(cells.get(`${b}|1`)!);
  console.log(`\n${STREAMS} requests batched / 1 request: ${ratio.toFixed(2)} x`);
} finally {
  await tearDown();
}
