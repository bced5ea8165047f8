/**
 * Evaluators against real Postgres: versioned CRUD through tRPC and REST (scopes, 409 on no change, 400s naming
 * the field with nothing written), loadEvaluatorSpecs, and the evaluators that call out — an LLM judge and an
 * embedding evaluator through the in-process gateway to a fake OpenAI upstream, and an HTTP evaluator against a
 * local server that checks the signature.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { gatewayModelCaller } from "../model-call";
import { loadEvaluatorSpecs, scoreSample } from "../score";
import type { ScoreDeps } from "../types";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-evaluators-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let projectId: string;
let owner: ReturnType<typeof callerFor>;
let fake: FakeUpstream;
let hook: Server;
let hookUrl: string;
const hookSecret = "a-shared-secret-of-32-characters!";
const hookSeen: { signature: string; body: string; valid: boolean }[] = [];

/** A judge that grades "Paris" A, anything else C; "JUDGE-FAILS" in the output makes it answer 500. */
function judgeAnswer(req: ReceivedRequest) {
  const body = req.body as { messages: { role: string; content: string }[] };
  const prompt = body.messages.at(-1)?.content ?? "";
  const text = prompt.includes("Answer to grade: Paris") ? "The answer names the capital.\nAnswer: A" : "Answer: C";
  return {
    id: "chatcmpl-judge",
    object: "chat.completion",
    model: "judge",
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  };
}

/** A bag-of-letters embedding: equal texts embed equally, texts without common letters are orthogonal. */
const embed = (text: string) =>
  Array.from({ length: 26 }, (_, i) => [...text.toLowerCase()].filter((c) => c.charCodeAt(0) - 97 === i).length);

function verify(signature: string, body: string) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (!match) return false;
  const expected = createHmac("sha256", hookSecret).update(`${match[1]}.${body}`).digest("hex");
  return expected === match[2] && Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
}

beforeAll(async () => {
  const made = await makeProject(db, "Evals");
  projectId = made.project.id;
  owner = callerFor(db, made.owner.principal, projectId);
  fake = await startFakeUpstream((req, res) => {
    if (req.path.endsWith("/embeddings")) {
      const input = (req.body as { input: string[] }).input;
      return sendJson(res, 200, {
        object: "list",
        data: input.map((t, index) => ({ object: "embedding", index, embedding: embed(t) })),
        model: "embedder",
        usage: { prompt_tokens: 10, total_tokens: 10 },
      });
    }
    const prompt = JSON.stringify(req.body);
    if (prompt.includes("JUDGE-FAILS")) return sendJson(res, 500, { error: { message: "judge fell over" } });
    sendJson(res, 200, judgeAnswer(req));
  });
  const judge = await owner.models.create({
    name: "judge",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 1000,
    priceOutputPerMTok: 2000,
  });
  await owner.models.createVersion({ modelId: judge.id, endpointBaseUrl: `${fake.origin}/v1`, upstreamModelId: "j" });
  const embedder = await owner.models.create({
    name: "embedder",
    provider: "openai-compatible",
    task: "embedding",
    priceInputPerMTok: 1000,
  });
  await owner.models.createVersion({
    modelId: embedder.id,
    endpointBaseUrl: `${fake.origin}/v1`,
    upstreamModelId: "e",
  });

  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signature = String(req.headers["x-switchyard-signature"] ?? "");
      const valid = verify(signature, body);
      hookSeen.push({ signature, body, valid });
      res.setHeader("content-type", "application/json");
      if (!valid) {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: { message: "bad signature" } }));
      }
      const { output } = JSON.parse(body) as { output: string };
      if (output === "garbage") return res.end(JSON.stringify({ score: 7 }));
      res.end(JSON.stringify({ score: output.length > 3 ? 0.9 : 0.1, reason: `length ${output.length}` }));
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/score`;
});

afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => hook?.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

function scoreDeps(): ScoreDeps & { close(): Promise<void> } {
  const caller = gatewayModelCaller(db, { projectId, apiKeyId: null, tag: "evaluators-test", log: "return" });
  return { db, projectId, callModel: caller.call, signal: new AbortController().signal, close: () => caller.close() };
}

const issuesOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: { code?: string; message: string; cause?: { issues?: { path: string; message: string }[] } }) => ({
      code: e.code,
      message: e.message,
    }),
  );

describe("evaluator CRUD", () => {
  it("creates, versions (409 on no change, nothing written), lists and gets", async () => {
    const created = await owner.evaluators.create({ name: "says-paris", type: "contains", config: { value: "Paris" } });
    expect(created.version).toMatchObject({ version: 1, type: "contains", threshold: null, effectiveThreshold: 1 });
    expect(created.version.config).toEqual({ value: "Paris", useExpected: false, caseInsensitive: false, trim: true });
    expect(created.secret).toBeNull();

    const duplicate = await issuesOf(
      owner.evaluators.create({ name: "says-paris", type: "exact", config: { value: "x" } }),
    );
    expect(duplicate).toMatchObject({
      code: "CONFLICT",
      message: "An evaluator named 'says-paris' already exists in this project",
    });

    const versions = () => db.evaluatorVersion.count({ where: { evaluatorId: created.evaluatorId } });
    // Defaults spelled out or left out are the same content.
    const same = await issuesOf(
      owner.evaluators.createVersion({
        evaluatorId: created.evaluatorId,
        type: "contains",
        config: { value: "Paris", trim: true },
      }),
    );
    expect(same).toMatchObject({ code: "CONFLICT" });
    expect(same?.message).toMatch(/Nothing changed: .* same as v1/);
    expect(await versions()).toBe(1);

    const v2 = await owner.evaluators.createVersion({
      evaluatorId: created.evaluatorId,
      type: "contains",
      config: { value: "paris", caseInsensitive: true },
      negate: true,
    });
    expect(v2.version).toMatchObject({ version: 2, negate: true });

    const list = await owner.evaluators.list();
    expect(list.find((e) => e.id === created.evaluatorId)).toMatchObject({ versionCount: 2, latest: { version: 2 } });
    const detail = await owner.evaluators.get({ id: created.evaluatorId });
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);

    const audit = await db.auditLog.findMany({
      where: { projectId, targetId: created.evaluatorId },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "evaluator.create",
      "evaluator.version.create",
      "evaluator.version.create",
    ]);
  });

  it("refuses bad definitions with a 400 naming the field, writing nothing", async () => {
    const before = await db.evaluator.count();
    const cases: [unknown, string, RegExp][] = [
      [{ type: "regex", config: { pattern: "(a" } }, "config.pattern", /RE2/],
      [{ type: "json_schema", config: { schema: { type: "nonsense" } } }, "config.schema", /not a valid JSON Schema/],
      [
        {
          type: "llm_judge",
          config: { model: "judge", rubric: "{{ output }} vs {{ answer }}", choices: { A: 1, B: 0 } },
        },
        "config.rubric",
        /unknown variable 'answer'/,
      ],
      [
        { type: "llm_judge", config: { model: "judge", rubric: "{% if %}", choices: { A: 1, B: 0 } } },
        "config.rubric",
        /./,
      ],
      [
        { type: "llm_judge", config: { model: "nobody", rubric: "{{ output }}", choices: { A: 1, B: 0 } } },
        "config.model",
        /Model not found|nobody/,
      ],
      [{ type: "embedding_similarity", config: { model: "ghost", useExpected: true } }, "config.model", /ghost/],
    ];
    for (const [definition, field, message] of cases) {
      const error = await owner.evaluators.create({ name: "bad", ...(definition as { type: "exact" }) }).then(
        () => null,
        (e: {
          code: string;
          message: string;
          cause?: { issues?: { path: string | (string | number)[]; message: string }[] };
        }) => e,
      );
      expect(error?.code, field).toBe("BAD_REQUEST");
      // Schema problems come back as zod issues (the input parser), server checks as "field: message".
      const issue = error?.cause?.issues?.[0];
      const text = issue ? `${[issue.path].flat().join(".")}: ${issue.message}` : error?.message;
      expect(text?.startsWith(`${field}: `), text).toBe(true);
      expect(text).toMatch(message);
    }
    expect(await db.evaluator.count()).toBe(before);
  });

  it("refuses an HTTP evaluator on a loopback address unless SWITCHYARD_UPSTREAM_ALLOW lists it", async () => {
    const saved = process.env.SWITCHYARD_UPSTREAM_ALLOW;
    process.env.SWITCHYARD_UPSTREAM_ALLOW = "";
    try {
      const error = await issuesOf(
        owner.evaluators.create({ name: "hook", type: "http", config: { url: "http://127.0.0.1:9/x" } }),
      );
      expect(error?.message).toMatch(
        /^config.url: 127.0.0.1:9 is a loopback address, which upstream calls may not reach/,
      );
    } finally {
      process.env.SWITCHYARD_UPSTREAM_ALLOW = saved;
    }
  });

  it("checks scopes: viewers and read-only keys read, cannot write", async () => {
    const viewer = callerFor(db, (await addMember(db, projectId, "viewer")).principal, projectId);
    expect(Array.isArray(await viewer.evaluators.list())).toBe(true);
    const denied = await issuesOf(viewer.evaluators.create({ name: "v", type: "json_valid", config: {} }));
    expect(denied).toMatchObject({ code: "FORBIDDEN" });
    const readKey = await makeApiKey(db, projectId, ["evals:read"]);
    const asKey = callerFor(db, readKey.principal, projectId);
    expect(Array.isArray(await asKey.evaluators.list())).toBe(true);
    expect(await issuesOf(asKey.evaluators.try({ type: "json_valid", config: {}, output: "{}" }))).toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("works over REST with an API key", async () => {
    const { key } = await makeApiKey(db, projectId, ["evals:read", "evals:write"]);
    const rest = (method: string, route: string, body?: unknown) =>
      handleRest(
        new Request(`http://localhost/api/rest${route}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        }),
        { db, session: async () => null },
      );
    const created = await rest("POST", "/evaluators", { name: "rest-json", type: "json_valid" });
    expect(created.status).toBe(200);
    const { evaluatorId } = await created.json();
    const fetched = await (await rest("GET", `/evaluators/${evaluatorId}`)).json();
    expect(fetched).toMatchObject({ name: "rest-json", versions: [{ version: 1, type: "json_valid" }] });

    const before = await db.evaluatorVersion.count();
    const bad = await rest("POST", `/evaluators/${evaluatorId}/versions`, {
      type: "numeric",
      config: { tolerance: -1 },
    });
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["config.tolerance", "config.value"]);
    const same = await rest("POST", `/evaluators/${evaluatorId}/versions`, { type: "json_valid" });
    expect(same.status).toBe(409);
    expect(await db.evaluatorVersion.count()).toBe(before);

    const tried = await rest("POST", "/evaluators/try", { evaluatorVersionId: fetched.versions[0].id, output: "[1,2" });
    expect(await tried.json()).toMatchObject({
      score: 0,
      passed: false,
      reason: expect.stringMatching(/^not valid JSON/),
    });
  });

  it("tries an unsaved definition", async () => {
    const result = await owner.evaluators.try({
      type: "levenshtein",
      config: { useExpected: true },
      output: "kitten",
      expected: "sitting",
    });
    expect(result.score).toBeCloseTo(1 - 3 / 7);
    expect(result.passed).toBe(true);
  });
});

describe("loadEvaluatorSpecs", () => {
  it("loads by version id, by name (newest) and by name and version; unknown ones are 404s naming them", async () => {
    const { evaluatorId, version } = await owner.evaluators.create({
      name: "spec-test",
      type: "exact",
      config: { value: "a" },
    });
    await owner.evaluators.createVersion({ evaluatorId, type: "exact", config: { value: "b" }, threshold: 0.5 });
    const specs = await loadEvaluatorSpecs(db, projectId, [
      { evaluatorVersionId: version.id, weight: 2 },
      { name: "spec-test", weight: 1 },
      { name: "spec-test", version: 1, weight: 1 },
    ]);
    expect(specs.map((s) => [s.name, s.version, s.weight, s.threshold])).toEqual([
      ["spec-test", 1, 2, null],
      ["spec-test", 2, 1, 0.5],
      ["spec-test", 1, 1, null],
    ]);
    expect(JSON.parse(JSON.stringify(specs[0]))).not.toHaveProperty("secretCiphertext");
    await expect(loadEvaluatorSpecs(db, projectId, [{ name: "missing", weight: 1 }])).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Evaluator 'missing' not found",
    });
    await expect(loadEvaluatorSpecs(db, projectId, [{ name: "spec-test", version: 9, weight: 1 }])).rejects.toThrow(
      "Evaluator 'spec-test' has no version 9",
    );
    // Another project's evaluator is not found from here.
    const other = await makeProject(db, "Other");
    await expect(
      loadEvaluatorSpecs(db, other.project.id, [{ evaluatorVersionId: version.id, weight: 1 }]),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("evaluators that call models", () => {
  const rubric = "Question: {{ input }}\nReference: {{ expected }}\nAnswer to grade: {{ output }}";
  const sample = (output: string) => ({
    input: { messages: [{ role: "user", content: "Capital of France?" }] },
    output,
    expected: "Paris",
  });

  it("an LLM judge grades through the gateway at temperature 0, majority of N, its cost recorded", async () => {
    await owner.evaluators.create({
      name: "judge-3",
      type: "llm_judge",
      config: { model: "judge", rubric, choices: { A: 1, B: 0.5, C: 0 }, samples: 3 },
    });
    const specs = await loadEvaluatorSpecs(db, projectId, [{ name: "judge-3", weight: 1 }]);
    const deps = scoreDeps();
    try {
      const before = fake.requests.length;
      const good = await scoreSample(deps, specs, sample("Paris"));
      expect(good).toMatchObject({ score: 1, passed: true });
      expect(good.scores[0].reason).toBe("judge chose A (3 of 3 calls)");
      // 3 calls x (100 in x $1000/M + 10 out x $2000/M) = 3 x $0.12.
      expect(good.costUsd).toBeCloseTo(0.36);
      const sent = fake.requests
        .slice(before)
        .map((r) => r.body as { temperature: number; messages: { content: string }[] });
      expect(sent).toHaveLength(3);
      expect(sent[0].temperature).toBe(0);
      expect(sent[0].messages[1].content).toBe(
        "Question: user: Capital of France?\nReference: Paris\nAnswer to grade: Paris",
      );
      expect(sent[0].messages[0].content).toMatch(/Answer: <choice>.*A, B, C/);

      const bad = await scoreSample(deps, specs, sample("Lyon"));
      expect(bad).toMatchObject({ score: 0, passed: false });
      const failed = await scoreSample(deps, specs, sample("JUDGE-FAILS"));
      expect(failed.passed).toBe(false);
      expect(failed.scores[0].reason).toMatch(/^the judge call failed: /);
    } finally {
      await deps.close();
    }
  });

  it("a failed judge stays a failure when negated", async () => {
    await owner.evaluators.create({
      name: "judge-negated",
      type: "llm_judge",
      config: { model: "judge", rubric, choices: { A: 1, C: 0 } },
      negate: true,
    });
    const specs = await loadEvaluatorSpecs(db, projectId, [{ name: "judge-negated", weight: 1 }]);
    const deps = scoreDeps();
    try {
      expect(await scoreSample(deps, specs, sample("JUDGE-FAILS"))).toMatchObject({ score: 0, passed: false });
      expect(await scoreSample(deps, specs, sample("Lyon"))).toMatchObject({ score: 1, passed: true });
    } finally {
      await deps.close();
    }
  });

  it("embedding similarity: cosine through a registered embedding model, with its cost", async () => {
    await owner.evaluators.create({
      name: "embed-sim",
      type: "embedding_similarity",
      config: { model: "embedder", useExpected: true },
    });
    const specs = await loadEvaluatorSpecs(db, projectId, [{ name: "embed-sim", weight: 1 }]);
    const deps = scoreDeps();
    try {
      const same = await scoreSample(deps, specs, sample("paris"));
      expect(same.score).toBeCloseTo(1);
      expect(same.passed).toBe(true);
      expect(same.costUsd).toBeCloseTo(0.01);
      const far = await scoreSample(deps, specs, sample("xyz"));
      expect(far).toMatchObject({ score: 0, passed: false });
      expect(far.scores[0].reason).toBe("cosine similarity 0.000");
    } finally {
      await deps.close();
    }
  });

  it("an HTTP evaluator POSTs a signed body and reads {score, passed?, reason?}", async () => {
    const created = await owner.evaluators.create({
      name: "hook",
      type: "http",
      config: { url: hookUrl, timeoutMs: 5000 },
      secret: hookSecret,
    });
    expect(created.secret).toBeNull();
    const row = await db.evaluator.findUniqueOrThrow({ where: { id: created.evaluatorId } });
    expect(row.secretCiphertext).toMatch(/^v1:/);
    expect(row.secretCiphertext).not.toContain(hookSecret);

    const specs = await loadEvaluatorSpecs(db, projectId, [{ name: "hook", weight: 1 }]);
    const deps = scoreDeps();
    try {
      const result = await scoreSample(deps, specs, { ...sample("Paris is the capital"), metadata: { id: 7 } });
      expect(result).toMatchObject({ score: 0.9, passed: true, scores: [{ reason: "length 20" }] });
      const seen = hookSeen.at(-1)!;
      expect(seen.valid).toBe(true);
      expect(JSON.parse(seen.body)).toEqual({
        input: { messages: [{ role: "user", content: "Capital of France?" }] },
        output: "Paris is the capital",
        expected: "Paris",
        metadata: { id: 7 },
      });
      const low = await scoreSample(deps, specs, sample("no"));
      expect(low).toMatchObject({ score: 0.1, passed: false });
      const garbage = await scoreSample(deps, specs, sample("garbage"));
      expect(garbage.scores[0].reason).toMatch(/answered without a valid \{score, passed\?, reason\?\}: score/);
    } finally {
      await deps.close();
    }
  });

  it("a generated secret is shown once; a wrong secret is refused by the receiver", async () => {
    const created = await owner.evaluators.create({ name: "hook-generated", type: "http", config: { url: hookUrl } });
    expect(created.secret).toMatch(/^whsec_/);
    const detail = await owner.evaluators.get({ id: created.evaluatorId });
    expect(detail.hasSecret).toBe(true);
    expect(JSON.stringify(detail)).not.toContain(created.secret!);
    const result = await owner.evaluators.try({
      evaluatorVersionId: created.version.id,
      output: "Paris",
      expected: "Paris",
    });
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(result.reason).toMatch(/failed: .*(rejected|401)/);
    expect(hookSeen.at(-1)?.valid).toBe(false);
  });
});
