/**
 * Fetch-by-label: the in-process cache (LISTEN/NOTIFY invalidated) against a
 * database round trip, on a real PostgreSQL (embedded, or BENCH_DATABASE_URL).
 *
 *   npx tsx bench/prompts/fetch.ts [--calls 100000]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROLE_SCOPES } from "@/lib/scopes";
import { createDatabase } from "@/server/database/admin";
import { startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { PromptCache } from "@/server/modules/prompts/cache";
import { type CompiledPrompt, fetchPrompt } from "@/server/modules/prompts/fetch";
import { moveLabel } from "@/server/modules/prompts/labels";
import { createPromptInput, createPromptVersionInput, moveLabelInput } from "@/server/modules/prompts/schemas";
import { createPrompt } from "@/server/modules/prompts/service";
import { makeProject } from "@/server/testing/factories";

const { values } = parseArgs({ options: { calls: { type: "string", default: "100000" } } });
const CALLS = Number(values.calls);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let stop = async () => {};
let url = process.env.BENCH_DATABASE_URL;
const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-pg-"));
if (!url) {
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 54345, database: "postgres", fast: true });
  stop = pg.stop;
  const name = `bench_${Date.now()}`;
  await createDatabase(pg.url, name);
  url = pg.url.replace(/\/[^/]*$/, `/${name}`);
}
await applyMigrations(url);
const db = createDb(url);
const { project, owner } = await makeProject(db, "bench");
const actor = { type: "user" as const, userId: owner.user.id, keyId: null, label: owner.user.email };
// Services take parsed input (server/modules/README.md): a script parses with the same schemas.
const deps = { db, caller: { projectId: project.id, actor, role: "owner" as const, scopes: ROLE_SCOPES.owner } };
const created = await createPrompt(
  deps,
  createPromptInput.parse({
    name: "bench/few-shot",
    type: "chat",
    template: [
      { role: "user", content: "{% for ex in examples %}{{ ex.q }} -> {{ ex.a }}\n{% endfor %}{{ question }}" },
    ],
  }),
);
await moveLabel(deps, moveLabelInput.parse({ promptId: created.promptId, label: "production", version: 1 }));

const cache = new PromptCache<CompiledPrompt>(url);
await cache.listen();
const selector = { name: "bench/few-shot", label: "production" };

// Baseline: the same fetch without the cache (one database round trip each).
const uncached: number[] = [];
for (let i = 0; i < 2000; i++) {
  const t = performance.now();
  await fetchPrompt(deps, selector);
  uncached.push(performance.now() - t);
}
await fetchPrompt({ ...deps, cache }, selector); // fill the cache
const cached: number[] = [];
const started = performance.now();
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  await fetchPrompt({ ...deps, cache }, selector);
  cached.push(performance.now() - t);
}
const elapsed = performance.now() - started;

// Invalidation: how long until a label move is seen by this process's cache.
await createPromptVersionAndMove();
async function createPromptVersionAndMove() {
  const { createPromptVersion } = await import("@/server/modules/prompts/service");
  await createPromptVersion(
    deps,
    createPromptVersionInput.parse({
      promptId: created.promptId,
      template: [{ role: "user", content: "{{ question }}" }],
    }),
  );
  const t = performance.now();
  await moveLabel(deps, moveLabelInput.parse({ promptId: created.promptId, label: "production", version: 2 }));
  const committed = performance.now();
  while ((await fetchPrompt({ ...deps, cache }, selector)).version !== 2) await new Promise((r) => setTimeout(r, 1));
  console.log(
    `label move visible in the cache ${(performance.now() - committed).toFixed(2)} ms after commit (move took ${(committed - t).toFixed(1)} ms)`,
  );
}

console.log(
  `uncached (database) fetch: median ${(median(uncached) * 1000).toFixed(0)} µs over ${uncached.length} calls`,
);
console.log(
  `cached fetch: median ${(median(cached) * 1000).toFixed(2)} µs, ${((CALLS / elapsed) * 1000).toFixed(0)} fetches/s over ${CALLS} calls`,
);
await cache.close();
await db.$disconnect();
await stop();
await rm(dir, { recursive: true, force: true });
