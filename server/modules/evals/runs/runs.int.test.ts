/**
 * Eval runs end to end on real pg-boss workers: a dataset version's cases through the gateway in-process against
 * the local ONNX demo model and a fake OpenAI-compatible upstream (a local HTTP server), prompts with the cases'
 * variables, results and their request-log rows stored once, the summary checked against the stored rows by hand,
 * cancel and budget stops keeping what was stored, a worker stopped mid-run resumed without running a case twice,
 * and bad requests refused with the field named and nothing written.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { t95 } from "@/lib/evals/stats";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { importQuery } from "@/server/modules/datasets/schemas";
import { importDataset } from "@/server/modules/datasets/service";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { evalRunKind } from "./executor";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-eval-runs-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let dbUrl: string;
let fake: FakeUpstream;
let workers: JobWorkers | null = null;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let versionId: string;
let bigVersionId: string;
let demoVersionId: string;
let greeterV1: string;
let greeterV2: string;
/** While set, the fake upstream answers only after this many ms (runs long enough to stop mid-way). */
let slowMs = 0;

const CASES = 6;
/** Cases whose expected answer is not what the fake upstream says (exact fails, contains passes). */
const WRONG = new Set([2, 5]);

async function dataset(name: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `q${i}` },
        { role: "assistant", content: WRONG.has(i) ? `echo: other ${i}` : `echo: q${i}` },
      ],
      metadata: { variables: { name: `Ada${i}` } },
    }),
  );
  const imported = await importDataset(
    { db, caller: systemCaller(fixture.project.id) },
    { ...importQuery.parse({ name, format: "chat" }), source: [new TextEncoder().encode(`${rows.join("\n")}\n`)] },
  );
  return imported.version.id;
}

async function evaluator(name: string, type: string, config: object = {}) {
  const created = await db.evaluator.create({
    data: {
      projectId: fixture.project.id,
      name,
      versions: { create: { version: 1, type, config, createdByLabel: "test" } },
    },
    include: { versions: true },
  });
  return created.versions[0].id;
}

withTestDatabase(async (created, url) => {
  db = created;
  dbUrl = url;
  await jobEngine(url);
  fake = await startFakeUpstream(async (req, res) => {
    const last = (req.body as { messages?: { content: string }[] }).messages?.at(-1)?.content ?? "";
    if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
    await reply(req, res, [`echo: ${last}`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  versionId = await dataset("qa", CASES);
  bigVersionId = await dataset("qa-big", 60);
  const demo = await db.modelVersion.findFirstOrThrow({
    where: { model: { projectId: fixture.project.id, name: "switchyard-demo" } },
  });
  demoVersionId = demo.id;
  const greeter = await db.promptVersion.findMany({
    where: { prompt: { projectId: fixture.project.id, name: "greeter" } },
    orderBy: { version: "asc" },
  });
  [greeterV1, greeterV2] = greeter.map((v) => v.id);
  await evaluator("exact", "exact", { useExpected: true });
  await evaluator("says-echo", "contains", { value: "echo" });
  workers = await startJobWorkers(db, [evalRunKind] as never);
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const EVALUATORS = [{ name: "exact" }, { name: "says-echo" }];

async function finished(id: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await fixture.caller.evalRuns.get({ id });
    if (["completed", "failed", "cancelled"].includes(run.status) || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function progressed(id: string, atLeast: number, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await db.evalRun.findUniqueOrThrow({ where: { id } });
    if (run.doneCases >= atLeast) return run;
    if (Date.now() > deadline) throw new Error(`the run stored ${run.doneCases} results, not ${atLeast}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("eval runs", () => {
  it("runs every case on every target, stores each once with its log row, and summarizes what it stored", async () => {
    const created = await fixture.caller.evalRuns.create({
      name: "first",
      datasetVersionId: versionId,
      targets: [
        { model: "fake-gpt" },
        { modelVersionId: demoVersionId, params: { max_tokens: 4, temperature: 0 } },
        { promptVersionId: greeterV1, model: "fake-gpt" },
        { promptVersionId: greeterV2, params: { max_tokens: 4 } },
      ],
      evaluators: EVALUATORS,
      concurrency: 4,
    });
    expect(created.jobId).toBeTruthy();
    const run = await finished(created.id);
    expect(run.status).toBe("completed");
    expect(run.totalCases).toBe(CASES * 4);
    expect(run.doneCases).toBe(CASES * 4);
    expect(run.dataset.name).toBe("qa");
    expect(run.job?.state).toBe("succeeded");
    expect(run.targets.map((t) => t.label)).toEqual([
      "fake-gpt",
      "switchyard-demo v1 · {max_tokens:4,temperature:0}",
      "greeter v1 · fake-gpt",
      "greeter v2 · {max_tokens:4}",
    ]);
    expect(run.targets.map((t) => t.model)).toEqual(["fake-gpt", "switchyard-demo@1", "fake-gpt", "prompt:greeter@2"]);

    const results = await db.evalResult.findMany({ where: { runId: run.id }, orderBy: [{ caseIndex: "asc" }] });
    expect(results).toHaveLength(CASES * 4);
    const [fakeT, demoT, renderedT, promptT] = run.targets;
    const of = (targetId: string) => results.filter((r) => r.targetId === targetId);
    // The fake upstream echoes the case's last user message; the rendered prompt's user message has the variable.
    expect(of(fakeT.id).map((r) => r.output)).toEqual(Array.from({ length: CASES }, (_, i) => `echo: q${i}`));
    expect(of(renderedT.id).map((r) => r.output)).toEqual(
      Array.from({ length: CASES }, (_, i) => `echo: Say hi to Ada${i}`),
    );
    for (const r of [...of(demoT.id), ...of(promptT.id)]) {
      expect(r.error).toBeNull();
      expect(typeof r.output).toBe("string");
      expect(r.tokensOut).toBeGreaterThan(0);
    }
    expect(of(fakeT.id)[0].expected).toBe("echo: q0");
    expect(of(fakeT.id)[0].input).toMatchObject({
      messages: [{ role: "user", content: "q0" }],
      variables: { name: "Ada0" },
    });

    // One request-log row per result, tagged with the run, the prompt version on prompt targets.
    const logs = await db.requestLog.findMany({ where: { batchId: `eval_${run.id}` } });
    expect(logs).toHaveLength(CASES * 4);
    expect(new Set(logs.map((l) => l.id))).toEqual(new Set(results.map((r) => r.requestId)));

    // The summary, by hand from the stored rows: fake-gpt passes `exact` on 4 of 6 cases and `says-echo` on all.
    const summary = run.summary!;
    const fake = summary.targets[0];
    const scores = of(fakeT.id).map((r) => r.score!);
    expect(scores).toEqual([1, 1, 0.5, 1, 1, 0.5]);
    const mean = 5 / 6;
    const sd = Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / 5);
    expect(fake.results).toBe(6);
    expect(fake.errors).toBe(0);
    expect(fake.overall.n).toBe(6);
    expect(fake.overall.mean).toBeCloseTo(mean, 12);
    expect(fake.overall.ci[0]).toBeCloseTo(mean - (t95(5) * sd) / Math.sqrt(6), 12);
    expect(fake.overall.ci[1]).toBeCloseTo(mean + (t95(5) * sd) / Math.sqrt(6), 12);
    expect(fake.overall.passRate).toBeCloseTo(4 / 6, 12);
    expect(fake.evaluators.exact.mean).toBeCloseTo(4 / 6, 12);
    expect(fake.evaluators["says-echo"]).toMatchObject({ n: 6, mean: 1, passRate: 1, passCi: [expect.any(Number), 1] });
    const costs = of(fakeT.id).reduce((s, r) => s + r.costUsd, 0);
    expect(fake.costUsd).toBeCloseTo(costs, 12);
    expect(fake.costUsd).toBeGreaterThan(0);
    expect(fake.tokensIn).toBe(of(fakeT.id).reduce((s, r) => s + r.tokensIn, 0));
    const latencies = of(fakeT.id)
      .map((r) => r.latencyMs!)
      .sort((a, b) => a - b);
    expect(fake.latencyP50Ms).toBeCloseTo((latencies[2] + latencies[3]) / 2, 3);
    expect(run.costUsd).toBeCloseTo(
      results.reduce((s, r) => s + r.costUsd, 0),
      12,
    );
    expect(summary.gatePassed).toBeNull();
    expect(run.targets[0].summary?.overall.mean).toBeCloseTo(mean, 12);

    const page = await fixture.caller.evalRuns.results({ id: run.id, targetId: fakeT.id, failedOnly: true });
    expect(page.total).toBe(2);
    expect(page.items.map((r) => r.caseIndex)).toEqual([2, 5]);
    const listed = await fixture.caller.evalRuns.list({});
    expect(listed.items[0].id).toBe(run.id);
  });

  it("cancel stops a running run and keeps, and summarizes, the results it stored", async () => {
    slowMs = 100;
    try {
      const created = await fixture.caller.evalRuns.create({
        datasetVersionId: bigVersionId,
        targets: [{ model: "fake-gpt" }],
        evaluators: EVALUATORS,
        concurrency: 2,
      });
      await progressed(created.id, 4);
      await fixture.caller.evalRuns.cancel({ id: created.id });
      const run = await finished(created.id);
      expect(run.status).toBe("cancelled");
      const stored = await db.evalResult.count({ where: { runId: run.id } });
      expect(stored).toBeGreaterThanOrEqual(4);
      expect(stored).toBeLessThan(60);
      expect(run.doneCases).toBe(stored);
      expect(run.summary?.targets[0].results).toBe(stored);
      expect(await db.requestLog.count({ where: { batchId: `eval_${run.id}` } })).toBe(stored);
      await expect(fixture.caller.evalRuns.cancel({ id: run.id })).rejects.toMatchObject({ code: "CONFLICT" });
    } finally {
      slowMs = 0;
    }
  });

  it("a run whose worker stops mid-way resumes on another and stores every case exactly once", async () => {
    slowMs = 100;
    const created = await fixture.caller.evalRuns.create({
      datasetVersionId: bigVersionId,
      targets: [{ model: "fake-gpt" }, { model: "fake-gpt", params: { temperature: 0.5 } }],
      evaluators: EVALUATORS,
      concurrency: 4,
      trials: 1,
    });
    await progressed(created.id, 10);
    await workers!.stop(0);
    const kept = await db.evalResult.count({ where: { runId: created.id } });
    expect(kept).toBeLessThan(120);
    slowMs = 0;
    await jobEngine(dbUrl);
    workers = await startJobWorkers(db, [evalRunKind] as never);
    const run = await finished(created.id);
    expect(run.status).toBe("completed");
    const results = await db.evalResult.findMany({ where: { runId: run.id } });
    expect(results).toHaveLength(120);
    expect(new Set(results.map((r) => `${r.targetId}:${r.caseIndex}:${r.trial}`)).size).toBe(120);
    expect(run.doneCases).toBe(120);
    expect(await db.requestLog.count({ where: { batchId: `eval_${run.id}` } })).toBe(120);
    const job = await db.job.findUniqueOrThrow({ where: { id: created.jobId } });
    expect(job.logs).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/^Resuming: \d+ of 120/) })]),
    );
  });

  it("stops when the budget is spent: status failed, the reason said, the results kept", async () => {
    // fake-gpt: $1 / $2 per million tokens; the fake answers with 11 in and 7 out: $0.000025 a call.
    const created = await fixture.caller.evalRuns.create({
      datasetVersionId: bigVersionId,
      targets: [{ model: "fake-gpt" }],
      evaluators: EVALUATORS,
      concurrency: 1,
      budgetUsd: 0.0001,
    });
    const run = await finished(created.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/Budget of \$0\.0001 reached/);
    const stored = await db.evalResult.count({ where: { runId: run.id } });
    expect(stored).toBeGreaterThanOrEqual(4);
    expect(stored).toBeLessThan(60);
    expect(run.summary?.targets[0].results).toBe(stored);
  });

  it("refuses bad requests with the field named (400) and unknown ids (404), writing nothing", async () => {
    const before = await db.evalRun.count();
    const unknown = "00000000-0000-4000-8000-000000000000";
    const base = { datasetVersionId: versionId, targets: [{ model: "fake-gpt" }], evaluators: EVALUATORS };
    const refused = async (input: object, code: string, field: string) => {
      const error = await fixture.caller.evalRuns.create(input as never).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error, field).not.toBeNull();
      expect(error!.code, field).toBe(code);
      expect(error!.message, field).toContain(field);
    };
    await refused({ ...base, datasetVersionId: "nope" }, "BAD_REQUEST", "datasetVersionId");
    await refused({ ...base, targets: [] }, "BAD_REQUEST", "targets");
    await refused({ ...base, trials: 0 }, "BAD_REQUEST", "trials");
    await refused(
      { ...base, targets: [{ model: "fake-gpt", params: { model: "x" } }] },
      "BAD_REQUEST",
      "targets.0.params.model",
    );
    await refused({ ...base, baselineTarget: 3 }, "BAD_REQUEST", "baselineTarget");
    await refused({ ...base, datasetVersionId: unknown }, "NOT_FOUND", "datasetVersionId");
    await refused({ ...base, targets: [{ promptVersionId: unknown }] }, "NOT_FOUND", "targets.0.promptVersionId");
    await refused(
      { ...base, targets: [{ model: "fake-gpt" }, { modelVersionId: unknown }] },
      "NOT_FOUND",
      "targets.1.modelVersionId",
    );
    await refused({ ...base, targets: [{ model: "no-such-model" }] }, "NOT_FOUND", "targets.0.model");
    await refused({ ...base, evaluators: [{ name: "no-such-evaluator" }] }, "NOT_FOUND", "no-such-evaluator");
    expect(await db.evalRun.count()).toBe(before);
    await expect(fixture.caller.evalRuns.get({ id: unknown })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("works over REST with an API key: create, get, results filtered; a key without gateway:invoke is refused", async () => {
    const rest = (key: string, method: string, url: string, body?: object) =>
      handleRest(
        new Request(`http://localhost/api/rest${url}`, {
          method,
          body: body ? JSON.stringify(body) : undefined,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        }),
        { db, session: async () => null },
      );
    const { key, row } = await makeApiKey(db, fixture.project.id, ["evals:read", "evals:write", "gateway:invoke"]);
    const input = { datasetVersionId: versionId, targets: [{ model: "fake-gpt" }], evaluators: EVALUATORS };
    const created = await rest(key, "POST", "/eval-runs", input);
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const run = await finished(id);
    expect(run.status).toBe("completed");
    const got = await rest(key, "GET", `/eval-runs/${id}`);
    expect(
      ((await got.json()) as { summary: { targets: { overall: { n: number } }[] } }).summary.targets[0].overall.n,
    ).toBe(6);
    const failed = await rest(key, "GET", `/eval-runs/${id}/results?failedOnly=true&limit=10`);
    const page = (await failed.json()) as { total: number; items: { caseIndex: number }[] };
    expect(page.total).toBe(2);
    expect(page.items.map((r) => r.caseIndex)).toEqual([2, 5]);
    // The log rows name the key that started the run.
    const logs = await db.requestLog.findMany({ where: { batchId: `eval_${id}` } });
    expect(logs).toHaveLength(6);
    expect(new Set(logs.map((l) => l.apiKeyId))).toEqual(new Set([row.id]));

    const { key: ciKey } = await makeApiKey(db, fixture.project.id, ["evals:read", "evals:write"]);
    const refused = await rest(ciKey, "POST", "/eval-runs", input);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("gateway:invoke");
    const { key: reader } = await makeApiKey(db, fixture.project.id, ["evals:read"]);
    expect((await rest(reader, "POST", "/eval-runs", input)).status).toBe(403);
  });
});
