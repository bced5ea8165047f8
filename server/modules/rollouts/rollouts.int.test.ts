/**
 * Canary rollouts end to end: a model whose alias `production` is rolled out to a second version, traffic driven
 * through the real gateway over HTTP toward a local fake upstream, the request log written to Postgres by the
 * real writer, and the analysis run with a fake clock (the gateway logs with the same clock) instead of sleeping.
 */
import { createHmac } from "node:crypto";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import {
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { analyzeRollouts } from "./analysis";
import { LiveRollouts } from "./live";

let db: Db;
let url: string;
let upstream: FakeUpstream;
let hook: FakeUpstream;
let gateway: StandaloneGateway;
let writer: RequestLogWriter;
let live: LiveRollouts;
let key: string;
let projectId: string;
let caller: ReturnType<typeof callerFor>;
let model: { id: string };
const versionIds: Record<number, string> = {};
/** The fake clock: the gateway logs requests at it, the analysis judges at it. */
let clock = Date.now();
const now = () => new Date(clock);
/** Upstream model ids that answer 500 (the candidate "starts failing"). */
const failing = new Set<string>();

withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  upstream = await startFakeUpstream((req: ReceivedRequest, res: ServerResponse) => {
    const upstreamModel = (req.body as { model: string }).model;
    if (failing.has(upstreamModel)) return sendJson(res, 500, { error: { message: "candidate is broken" } });
    reply(req, res, [`answer from ${upstreamModel}`]);
  });
  // `/flaky` answers 503 twice before it takes the webhook (the sender retries).
  let flaky = 0;
  hook = await startFakeUpstream((req, res) =>
    req.path === "/flaky" && ++flaky <= 2 ? sendJson(res, 503, {}) : sendJson(res, 200, { ok: true }),
  );
  process.env.SWITCHYARD_ROLLOUT_WEBHOOK_SECRET = "hook-secret";
  const { project, owner } = await makeProject(db, "Rollouts");
  projectId = project.id;
  caller = callerFor(db, owner.principal, project.id);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  model = await caller.models.create({ name: "canary-gpt", provider: "openai-compatible", task: "chat" });
  for (const [n, upstreamModelId] of [
    [1, "stable-model"],
    [2, "broken-model"],
    [3, "good-model"],
  ] as const) {
    const version = await caller.models.createVersion({
      modelId: model.id,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId,
    });
    versionIds[n] = version.id;
  }
  await caller.models.moveAlias({ modelId: model.id, alias: "production", version: 1 });
  writer = new RequestLogWriter({ connectionString: url, flushIntervalMs: 20 });
  live = new LiveRollouts(db, { connectionString: url });
  await live.listen();
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: writer,
    promptCache: null,
    rollouts: live,
    now,
  });
});

afterAll(async () => {
  await gateway?.close();
  await writer?.close();
  await live?.close();
  await upstream?.close();
  await hook?.close();
});

async function chat(user: string | null, model = "canary-gpt") {
  const response = await fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model,
      messages: model.startsWith("prompt:") ? [] : [{ role: "user", content: "hi" }],
      ...(model.startsWith("prompt:") ? { variables: { q: "why?" } } : {}),
      ...(user ? { user } : {}),
    }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Sends one request per user and waits until the log has them all in Postgres. */
async function traffic(users: string[]) {
  const before = await loggedRows();
  for (let i = 0; i < users.length; i += 10) await Promise.all(users.slice(i, i + 10).map((u) => chat(u)));
  const deadline = Date.now() + 15_000;
  while ((await loggedRows()) < before + users.length) {
    if (Date.now() > deadline) throw new Error("the request log did not receive the traffic");
    await writer.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function loggedRows() {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM request_log`;
  return row.n;
}

/**
 * After a rollout starts or resumes: its window opens on the fake clock (which runs ahead of the real one), so the
 * step's duration counts from there, whatever the real time is.
 */
const pastStart = async (id: string) => {
  clock = Math.max(clock, Date.now()) + 1_000;
  await db.rollout.update({ where: { id }, data: { stepStartedAt: new Date(clock - 500) } });
};

const usersNamed = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** The upstream model each request of `users` reached, from what the fake upstream received since `from`. */
const armsByUser = (from: number) => {
  const arms = new Map<string, Set<string>>();
  for (const r of upstream.requests.slice(from)) {
    const body = r.body as { user?: string; model: string };
    if (!body.user) continue;
    if (!arms.has(body.user)) arms.set(body.user, new Set());
    arms.get(body.user)!.add(body.model);
  }
  return arms;
};

async function waitForStableOnly(users: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const from = upstream.requests.length;
    await Promise.all(users.map((u) => chat(u)));
    const models = upstream.requests.slice(from).map((r) => (r.body as { model: string }).model);
    if (models.every((m) => m === "stable-model")) return;
    if (Date.now() > deadline) throw new Error(`traffic still reaches ${models.filter((m) => m !== "stable-model")}`);
  }
}

describe("a model rollout on an alias", () => {
  it("is sticky per user, splits close to the share, and is rolled back when the candidate starts failing", async () => {
    const created = await caller.rollouts.create({
      subjectType: "model",
      subjectId: model.id,
      label: "production",
      candidateVersionId: versionIds[2],
      steps: [
        { percent: 40, durationSeconds: 60 },
        { percent: 100, durationSeconds: 60 },
      ],
      analysis: { minSamples: 10, maxErrorRate: 0.05 },
      webhookUrl: `${hook.origin}/rollouts?team=ops`,
    });
    expect(created).toMatchObject({ status: "running", candidatePercent: 40, stableVersion: 1, candidateVersion: 2 });
    await pastStart(created.id);

    // Healthy at first: every user keeps one arm across requests, and about 40 % get the candidate.
    const users = usersNamed("user", 200);
    const from = upstream.requests.length;
    await traffic(users);
    await traffic(users.slice(0, 50));
    const arms = armsByUser(from);
    expect(arms.size).toBe(200);
    for (const [, seen] of arms) expect(seen.size).toBe(1);
    const candidates = [...arms.values()].filter((s) => s.has("broken-model")).length;
    // 40 % of 200 is 80 ± 7: these bounds are more than 5 standard deviations away.
    expect(candidates).toBeGreaterThan(200 * 0.2);
    expect(candidates).toBeLessThan(200 * 0.6);
    clock += 5_000;
    const healthy = await analyzeRollouts(db, { now: now() });
    expect(healthy).toEqual([{ id: created.id, outcome: "held", reason: null }]);

    // Then the candidate's upstream starts failing: the next analysis rolls it back.
    failing.add("broken-model");
    clock += 1_000;
    await traffic(usersNamed("later", 100));
    clock += 5_000;
    const [judged] = await analyzeRollouts(db, { now: now() });
    expect(judged.outcome).toBe("rolled_back");
    expect(judged.reason).toMatch(/^error rate 0\.\d+ > 0\.05 \(candidate \d+ requests, stable \d+\)$/);

    const detail = await caller.rollouts.get({ id: created.id });
    expect(detail).toMatchObject({ status: "rolled_back", candidatePercent: 0, reason: judged.reason });
    expect(detail.events.map((e) => e.kind)).toEqual(["started", "analysis", "analysis", "rolled_back", "webhook"]);
    expect(detail.events.at(-1)?.detail).toMatchObject({ ok: true, status: 200, attempts: 1 });
    // The webhook received the rollout, its status, the reason and the figures.
    const received = await hook.received(0);
    expect(received.path).toBe("/rollouts?team=ops");
    const signature = createHmac("sha256", "hook-secret").update(JSON.stringify(received.body)).digest("hex");
    expect(received.headers["x-switchyard-signature"]).toBe(`sha256=${signature}`);
    expect(received.body).toMatchObject({
      rollout: { id: created.id, label: "production" },
      status: "rolled_back",
      reason: judged.reason,
      metrics: { candidate: { versionId: versionIds[2] }, stable: { versionId: versionIds[1] } },
    });
    // Audited, and the alias never moved: all traffic is back on the stable version at once.
    const audit = await db.auditLog.findMany({ where: { targetId: created.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([
      ["rollout.start", expect.any(String)],
      ["rollout.rollback", "rollout analysis"],
    ]);
    const alias = await db.modelAlias.findFirst({ where: { modelId: model.id, name: "production" } });
    expect(alias?.versionId).toBe(versionIds[1]);
    await waitForStableOnly(users.slice(0, 40));
  });

  it("advances a healthy candidate step by step and promotes it (the alias moves)", async () => {
    const created = await caller.rollouts.create({
      subjectType: "model",
      subjectId: model.id,
      candidateVersionId: versionIds[3],
      steps: [
        { percent: 30, durationSeconds: 10 },
        { percent: 70, durationSeconds: 10 },
      ],
      analysis: {
        minSamples: 3,
        maxErrorRate: 0.05,
        maxLatencyP95Ratio: 1000,
        // No scores given or computed in this test: judged "no data", which does not block the steps.
        feedback: { name: "thumbs", minMean: 0.5 },
        onlineEval: { ruleId: "00000000-0000-4000-8000-00000000e7a1", minMeanScore: 0.5 },
      },
      webhookUrl: `${hook.origin}/flaky`,
    });
    await pastStart(created.id);
    await traffic(usersNamed("a", 60));
    // Not yet 10 s into the step: judged, held.
    expect((await analyzeRollouts(db, { now: now() }))[0].outcome).toBe("held");
    clock += 10_000;
    expect((await analyzeRollouts(db, { now: now() }))[0].outcome).toBe("advanced");
    expect(await caller.rollouts.get({ id: created.id })).toMatchObject({ currentStep: 1, candidatePercent: 70 });
    // Too few samples in the new window: waiting, even once its duration is over.
    clock += 11_000;
    const waiting = await analyzeRollouts(db, { now: now() });
    expect(waiting[0]).toMatchObject({ outcome: "waiting", reason: expect.stringMatching(/^waiting for samples/) });
    await traffic(usersNamed("b", 60));
    clock += 1_000;
    expect((await analyzeRollouts(db, { now: now() }))[0].outcome).toBe("promoted");
    const detail = await caller.rollouts.get({ id: created.id });
    expect(detail).toMatchObject({ status: "promoted", candidatePercent: 100 });
    expect(detail.events.filter((e) => e.kind !== "analysis").map((e) => [e.kind, e.actorLabel])).toEqual([
      ["started", expect.any(String)],
      ["step", "rollout analysis"],
      ["promoted", "rollout analysis"],
      ["webhook", "rollout analysis"],
    ]);
    expect(detail.events.at(-1)?.detail).toMatchObject({ ok: true, status: 200, attempts: 3, event: "promoted" });
    const judged = detail.events.filter((e) => e.kind === "analysis").at(-1)?.detail as {
      criteria: { name: string; result: string }[];
    };
    expect(judged.criteria.map((c) => [c.name, c.result])).toEqual([
      ["maxErrorRate", "pass"],
      ["maxLatencyP95Ratio", "pass"],
      ["feedback", "no_data"],
      ["onlineEval", "no_data"],
    ]);
    const alias = await db.modelAlias.findFirst({ where: { modelId: model.id, name: "production" } });
    expect(alias?.versionId).toBe(versionIds[3]);
    const moves = await db.modelAliasEvent.findMany({ where: { modelId: model.id }, orderBy: { createdAt: "desc" } });
    expect(moves[0]).toMatchObject({ fromVersion: 1, toVersion: 3, actorLabel: "rollout analysis" });
    // Put the alias back for the next tests.
    await caller.models.moveAlias({ modelId: model.id, alias: "production", version: 1 });
  });
});

describe("people's actions and refusals", () => {
  it("pauses, resumes, refuses a second live rollout with 409, and aborts", async () => {
    const input = {
      subjectType: "model" as const,
      subjectId: model.id,
      candidateVersionId: versionIds[3],
      steps: [{ percent: 30, durationSeconds: 10, pause: true }, { percent: 50 }],
      analysis: { minSamples: 1 },
    };
    const created = await caller.rollouts.create(input);
    await pastStart(created.id);
    await expect(caller.rollouts.create(input)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await caller.rollouts.pause({ id: created.id, reason: "lunch" })).toMatchObject({ status: "paused" });
    await expect(caller.rollouts.pause({ id: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await caller.rollouts.resume({ id: created.id })).toMatchObject({ status: "running", currentStep: 0 });
    // A step with pause: true waits for a person once it passed; resuming then moves on to the next step.
    await pastStart(created.id);
    // 100 users at 30 %: both arms get samples (all on one arm: a chance of about 1e-15).
    await traffic(usersNamed("c", 100));
    clock += 11_000;
    expect((await analyzeRollouts(db, { now: now() }))[0].outcome).toBe("paused");
    expect(await caller.rollouts.resume({ id: created.id })).toMatchObject({
      status: "running",
      currentStep: 1,
      candidatePercent: 50,
    });
    const aborted = await caller.rollouts.abort({ id: created.id, reason: "changed our minds" });
    expect(aborted).toMatchObject({ status: "aborted", candidatePercent: 0, reason: "changed our minds" });
    await expect(caller.rollouts.promote({ id: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const alias = await db.modelAlias.findFirst({ where: { modelId: model.id, name: "production" } });
    expect(alias?.versionId).toBe(versionIds[1]);
  });

  it("a person promotes a prompt rollout: the label moves, and the gateway served the candidate meanwhile", async () => {
    const prompt = await caller.prompts.create({
      name: "canary/prompt",
      type: "chat",
      template: [{ role: "user", content: "v1 {{ q }}" }],
      config: { model: "canary-gpt@production" },
    });
    const v2 = await caller.prompts.createVersion({
      promptId: prompt.promptId,
      template: [{ role: "user", content: "v2 {{ q }}" }],
      config: { model: "canary-gpt@production" },
    });
    await caller.prompts.moveLabel({ promptId: prompt.promptId, label: "production", version: 1 });
    const created = await caller.rollouts.create({
      subjectType: "prompt",
      subjectId: prompt.promptId,
      candidateVersionId: v2.id,
      steps: [{ percent: 100, durationSeconds: 60 }],
    });
    const from = upstream.requests.length;
    expect(await chat("someone", "prompt:canary/prompt")).toBe(200);
    expect(JSON.stringify(upstream.requests.slice(from).map((r) => r.body))).toContain("v2 ");
    const promoted = await caller.rollouts.promote({ id: created.id, reason: "looks good" });
    expect(promoted).toMatchObject({ status: "promoted", reason: "looks good" });
    const label = await db.promptLabel.findFirst({ where: { promptId: prompt.promptId, name: "production" } });
    expect(label?.versionId).toBe(v2.id);
  });

  it("refuses bad input with 400s naming the field, and unknown subjects with 404, writing nothing", async () => {
    const before = await db.rollout.count();
    const base = {
      subjectType: "model" as const,
      subjectId: model.id,
      candidateVersionId: versionIds[3],
      steps: [{ percent: 10 }],
    };
    const issue = async (input: unknown) => {
      try {
        await caller.rollouts.create(input as never);
      } catch (error) {
        const e = error as { code: string; cause?: { issues?: { path: string }[] }; message: string };
        return { code: e.code, message: e.message };
      }
      throw new Error("accepted");
    };
    expect(await issue({ ...base, steps: [{ percent: 50 }, { percent: 20 }] })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/"steps",\s*1,\s*"percent"[\s\S]*Step 2 must give the candidate more/),
    });
    expect(await issue({ ...base, steps: [{ percent: 10, durationSeconds: 5 }] })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/"steps",\s*0,\s*"durationSeconds"/),
    });
    expect(await issue({ ...base, label: "nope" })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("no alias 'nope'"),
    });
    expect(await issue({ ...base, candidateVersionId: versionIds[1] })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("already points at version 1"),
    });
    expect(await issue({ ...base, webhookUrl: "http://169.254.169.254/hook" })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("webhookUrl"),
    });
    const other = await caller.models.create({ name: "other-gpt", provider: "openai-compatible", task: "chat" });
    const otherVersion = await caller.models.createVersion({
      modelId: other.id,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "x",
    });
    expect(await issue({ ...base, candidateVersionId: otherVersion.id })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("another model"),
    });
    expect(await issue({ ...base, subjectId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db.rollout.count()).toBe(before);
  });

  it("needs rollouts:read to look and rollouts:write to act", async () => {
    const viewer = await addMember(db, projectId, "viewer");
    const asViewer = callerFor(db, viewer.principal, projectId);
    expect((await asViewer.rollouts.list({})).items.length).toBeGreaterThan(0);
    await expect(
      asViewer.rollouts.create({
        subjectType: "model",
        subjectId: model.id,
        candidateVersionId: versionIds[3],
        steps: [{ percent: 10 }],
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const keyOnly = await makeApiKey(db, projectId, ["gateway:invoke"]);
    await expect(callerFor(db, keyOnly.principal, projectId).rollouts.list({})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
