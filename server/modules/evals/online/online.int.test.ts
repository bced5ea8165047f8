/**
 * Online evaluation end to end: live traffic through the real gateway (node:http) to a fake upstream and the
 * local ONNX model, rules sampling it by hash, `eval.online` jobs on real pg-boss workers scoring the samples,
 * scores in online_eval_scores, the monitoring stats, and an experiment metric read from them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { renderPrometheus } from "@/server/modules/request-log/prometheus";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { onlineEvalJob } from "./job";
import { createOnlineObserver, type OnlineObserver } from "./observer";
import { OnlineRuleCache } from "./rule-cache";
import { isSampled } from "./sampling";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-online-evals-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let url: string;
let fake: FakeUpstream;
let writer: RequestLogWriter;
let gateway: StandaloneGateway;
let observer: OnlineObserver;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let evaluatorVersionId: string;

withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  await jobEngine(createdUrl);
});

beforeAll(async () => {
  fake = await startFakeUpstream(async (req, res) => {
    const last = (req.body as { messages?: { content: string }[] }).messages?.at(-1)?.content ?? "";
    await reply(req, res, [`echo: ${last}`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  writer = new RequestLogWriter({ connectionString: url, batchSize: 500 });
  observer = createOnlineObserver(() => db, { rules: new OnlineRuleCache(() => db), buffer: { flushMs: 20 } });
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: writer,
    promptCache: null,
    observers: [observer.observe],
  });
  evaluatorVersionId = await makeEvaluator("says-echo", "contains", { value: "echo:" });
  workers = await startJobWorkers(db, [onlineEvalJob as never]);
});
afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await gateway?.close();
  await writer?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Through the evaluators' own procedure, as a person in the console would. */
async function makeEvaluator(name: string, type: "contains" | "regex", config: Record<string, unknown>) {
  const saved = await fixture.caller.evaluators.create({ name, type, config });
  return saved.version.id;
}

async function chat(content: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content }], ...body }),
  });
  expect(res.status).toBe(200);
  const id = res.headers.get("x-request-id");
  if (body.stream) await res.text();
  else await res.json();
  return id as string;
}

/** Waits until the buffer is empty and every eval.online job has ended (the scores of what was sampled are in). */
async function settled(ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    await observer.buffer.flush();
    const open = await db.job.count({
      where: { kind: "eval.online", state: { in: ["queued", "running", "retrying"] } },
    });
    if (open === 0 && observer.buffer.stats().buffered === 0) return;
    if (Date.now() > deadline) throw new Error(`eval.online jobs still open after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rest = (key: string, method: string, path: string, body?: unknown) =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );

const scoresOf = (ruleId: string) => db.onlineEvalScore.findMany({ where: { ruleId } });

/**
 * Polls until `ruleId` has `count` scores, then until nothing is left to score. (A project's first request after
 * a rule change waits for its rules to be read before it is sampled, so "no job open" alone could come too early.)
 */
async function scoredAtLeast(ruleId: string, count: number, ms = 30_000) {
  const deadline = Date.now() + ms;
  while ((await db.onlineEvalScore.count({ where: { ruleId } })) < count) {
    if (Date.now() > deadline) throw new Error(`rule ${ruleId} has fewer than ${count} scores after ${ms} ms`);
    await observer.buffer.flush();
    await new Promise((r) => setTimeout(r, 100));
  }
  await settled();
}

describe("online evaluation", () => {
  it("scores every request of a rule at sample rate 1, streams included, with body logging off", async () => {
    expect((await db.project.findUniqueOrThrow({ where: { id: fixture.project.id } })).requestBodyLogging).toBe("none");
    const rule = await fixture.caller.onlineEvals.create({
      name: "all-fake",
      evaluatorName: "says-echo",
      sampleRate: 1,
      filter: { model: "fake-gpt" },
    });
    expect(rule.evaluatorVersionId).toBe(evaluatorVersionId);
    const ids = [await chat("one"), await chat("two", { stream: true }), await chat("three")];
    await scoredAtLeast(rule.id, 3);
    const scores = await scoresOf(rule.id);
    expect(new Set(scores.map((s) => s.requestId))).toEqual(new Set(ids));
    expect(scores.every((s) => s.score === 1 && s.passed)).toBe(true);
    await writer.flush();
    const logged = await db.requestLog.findMany({ where: { id: { in: ids } } });
    expect(logged).toHaveLength(3);
    // The log kept no bodies; the scores carry the request's versions.
    expect(logged.every((r) => r.requestBody === null && r.responseBody === null)).toBe(true);
    for (const score of scores) {
      const row = logged.find((r) => r.id === score.requestId)!;
      expect(score.modelVersionId).toBe(row.modelVersionId);
      expect(score.requestStartedAt.getTime()).toBe(row.startedAt.getTime());
    }
    // Bodies lived only in the job payload, which drops them once scored.
    const jobs = await db.job.findMany({ where: { kind: "eval.online", state: "succeeded" } });
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) expect(job.payload).toEqual({ samples: [] });
    // The stats the monitoring page shows.
    const stats = await fixture.caller.onlineEvals.stats({
      from: new Date(Date.now() - 3_600_000),
      to: new Date(Date.now() + 60_000),
      ruleId: rule.id,
    });
    expect(stats.rules[0].totals).toMatchObject({ n: 3, meanScore: 1, passRate: 1 });
    expect(stats.rules[0].byModelVersion).toEqual([
      expect.objectContaining({ label: "fake-gpt@1", n: 3, meanScore: 1, passRate: 1 }),
    ]);
    expect(stats.rules[0].series.reduce((s, p) => s + p.n, 0)).toBe(3);
    expect(stats.rules[0].series.every((p) => p.at.getTime() <= Date.now())).toBe(true);
    const all = await fixture.caller.onlineEvals.stats({ from: new Date(Date.now() - 86_400_000), to: new Date() });
    expect(all.rules.find((r) => r.ruleId === rule.id)?.totals.n).toBe(3);
    await fixture.caller.onlineEvals.update({ id: rule.id, enabled: false });
  });

  it("samples by hash: at rate 0.3 exactly the requests whose hash falls under the rate are scored", async () => {
    const rule = await fixture.caller.onlineEvals.create({
      name: "thirty-percent",
      evaluatorVersionId,
      sampleRate: 0.3,
    });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await chat(`n${i}`));
    const expected = ids.filter((id) => isSampled(rule.id, id, 0.3));
    await scoredAtLeast(rule.id, expected.length);
    // 40 requests at 30 %: the hash picks a share near 12 (not an exact 12: it is a hash, not a quota).
    expect(expected.length).toBeGreaterThan(4);
    expect(expected.length).toBeLessThan(24);
    const scores = await scoresOf(rule.id);
    expect(new Set(scores.map((s) => s.requestId))).toEqual(new Set(expected));
    await fixture.caller.onlineEvals.update({ id: rule.id, enabled: false });
  });

  it("scores nothing for a disabled rule or for requests its filter leaves out", async () => {
    const disabled = await fixture.caller.onlineEvals.create({
      name: "disabled",
      evaluatorVersionId,
      sampleRate: 1,
      enabled: false,
    });
    const otherModel = await fixture.caller.onlineEvals.create({
      name: "other-model",
      evaluatorVersionId,
      sampleRate: 1,
      filter: { model: "switchyard-demo" },
    });
    const control = await fixture.caller.onlineEvals.create({ name: "control", evaluatorVersionId, sampleRate: 1 });
    const ids = [await chat("a"), await chat("b")];
    // The control rule's scores show both requests were decided (the other rules were asked at the same time).
    await scoredAtLeast(control.id, 2);
    expect(new Set((await scoresOf(control.id)).map((s) => s.requestId))).toEqual(new Set(ids));
    expect(await scoresOf(disabled.id)).toEqual([]);
    expect(await scoresOf(otherModel.id)).toEqual([]);
    for (const rule of [disabled, otherModel, control]) await fixture.caller.onlineEvals.delete({ id: rule.id });
  });

  it("drops samples when the buffer is full and counts them in the metric, never holding the request", async () => {
    const rule = await fixture.caller.onlineEvals.create({ name: "overflow", evaluatorVersionId, sampleRate: 1 });
    // A buffer of 2 that flushes only when asked: the third to fifth samples find it full.
    const small = createOnlineObserver(() => db, {
      rules: new OnlineRuleCache(() => db),
      buffer: { capacity: 2, flushSize: 1_000, flushMs: 600_000 },
    });
    const before = droppedCount(await renderPrometheus());
    const second = await startStandaloneGateway({
      port: 0,
      host: "127.0.0.1",
      db,
      sink: writer,
      promptCache: null,
      observers: [small.observe],
    });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${second.origin}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: `o${i}` }] }),
        });
        expect(res.status).toBe(200);
        await res.json();
        ids.push(res.headers.get("x-request-id")!);
      }
    } finally {
      await second.close();
    }
    // The first request waits for the project's rules to be read: poll until all five were decided.
    const deadline = Date.now() + 10_000;
    while (small.buffer.stats().buffered + small.buffer.stats().dropped < 5 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(small.buffer.stats()).toMatchObject({ buffered: 2, dropped: 3 });
    expect(droppedCount(await renderPrometheus()) - before).toBe(3);
    await small.buffer.flush();
    await scoredAtLeast(rule.id, 2);
    const scored = (await scoresOf(rule.id)).map((s) => s.requestId);
    expect(scored).toHaveLength(2);
    expect(ids).toEqual(expect.arrayContaining(scored));
    await fixture.caller.onlineEvals.delete({ id: rule.id });
  });

  it("feeds an experiment metric: mean score and pass rate per variant from the rule's scores", async () => {
    const passesShort = await makeEvaluator("short-answer", "regex", { pattern: "^[\\s\\S]{0,400}$" });
    const rule = await fixture.caller.onlineEvals.create({
      name: "greeting-quality",
      evaluatorVersionId: passesShort,
      sampleRate: 1,
      filter: { path: "/v1/chat/completions" },
    });
    const greeter = await db.prompt.findFirstOrThrow({ where: { projectId: fixture.project.id, name: "greeter" } });
    const experiment = await fixture.caller.experiments.create({
      name: "greeting-online",
      promptId: greeter.id,
      metrics: [
        { name: "judged", kind: "mean", source: "online_eval", onlineEvalRule: "greeting-quality" },
        { name: "greeting_quality", kind: "rate", source: "online_eval" },
      ],
      variants: [
        { key: "control", weight: 50, promptVersion: 1 },
        { key: "friendly", weight: 50, promptVersion: 2 },
      ],
    });
    await fixture.caller.experiments.start({ id: experiment.id });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        await chat("", {
          model: "experiment:greeting-online",
          messages: [],
          variables: { name: `user ${i}` },
          user: `unit-${i}`,
          max_tokens: 4,
        }),
      );
    await scoredAtLeast(rule.id, 6);
    await writer.flush();
    expect(new Set((await scoresOf(rule.id)).map((s) => s.requestId))).toEqual(new Set(ids));
    const results = await fixture.caller.experiments.results({ id: experiment.id });
    const judged = results.metrics.find((m) => m.name === "judged")!;
    expect(judged).toMatchObject({ source: "online_eval", onlineEvalRule: "greeting-quality" });
    const rate = results.metrics.find((m) => m.name === "greeting_quality")!;
    expect(rate.onlineEvalRule).toBe("greeting_quality");
    const units = judged.analysis.variants.map((v) => v.summary.n);
    expect(units.reduce((s, n) => s + n, 0)).toBe(6);
    for (const v of judged.analysis.variants) if (v.summary.n > 0) expect(v.summary.estimate).toBe(1);
    // The rate metric names a rule that does not exist: no scored units, not an error.
    expect(rate.analysis.variants.every((v) => v.summary.n === 0)).toBe(true);
  });

  it("refuses bad rules over REST with a 400 naming the field, writing nothing; needs evals:write", async () => {
    const key = (await makeApiKey(db, fixture.project.id, ["evals:read", "evals:write"])).key;
    const count = await db.onlineEvalRule.count();
    const attempts: [Record<string, unknown>, string][] = [
      [{ name: "x", evaluatorVersionId, sampleRate: 1.5 }, "sampleRate"],
      [{ name: "x", evaluatorVersionId, sampleRate: -0.1 }, "sampleRate"],
      [{ name: "x", evaluatorVersionId, sampleRate: "half" }, "sampleRate"],
      [{ name: "x", evaluatorVersionId, sampleRate: 0.5, filter: { path: "/v1/embeddings" } }, "filter.path"],
      [{ name: "x", evaluatorVersionId, sampleRate: 0.5, filter: { promptId: "nope" } }, "filter.promptId"],
      [{ name: "", evaluatorVersionId, sampleRate: 0.5 }, "name"],
      [{ name: "x", sampleRate: 0.5 }, "evaluatorVersionId"],
    ];
    for (const [input, field] of attempts) {
      const res = await rest(key, "POST", "/online-evals/rules", input);
      expect(res.status, field).toBe(400);
      expect(await res.text(), field).toContain(field);
    }
    const unknown = await rest(key, "POST", "/online-evals/rules", {
      name: "x",
      evaluatorName: "no-such-evaluator",
      sampleRate: 0.5,
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("evaluatorName");
    expect(await db.onlineEvalRule.count()).toBe(count);
    // A read-only key lists rules but cannot create one.
    const reader = (await makeApiKey(db, fixture.project.id, ["evals:read"])).key;
    expect((await rest(reader, "GET", "/online-evals/rules")).status).toBe(200);
    const refused = await rest(reader, "POST", "/online-evals/rules", {
      name: "y",
      evaluatorVersionId,
      sampleRate: 0.5,
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("evals:write");
    const created = await rest(key, "POST", "/online-evals/rules", { name: "y", evaluatorVersionId, sampleRate: 0.5 });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const patched = await rest(key, "PATCH", `/online-evals/rules/${id}`, { sampleRate: 0.25, enabled: false });
    expect(await patched.json()).toMatchObject({ id, sampleRate: 0.25, enabled: false });
    const audit = await db.auditLog.findMany({ where: { targetId: id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["online_eval_rule.create", "online_eval_rule.update"]);
  });
});

function droppedCount(text: string): number {
  const line = text
    .split("\n")
    .find((l) => l.startsWith('switchyard_online_eval_samples_dropped_total{reason="buffer_full"}'));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
