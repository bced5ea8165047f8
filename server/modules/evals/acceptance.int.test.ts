/**
 * Issue 17's acceptance, end to end on real workers: a 200-case dataset, an eval comparing two prompt versions on
 * the local ONNX model and on a fake OpenAI-compatible upstream with three evaluators (one an LLM judge the fake
 * upstream plays), the comparison finding exactly the cases version 2 broke; then the CLI failing one gate (exit
 * 1, a JUnit file with the failure) and passing another over REST, and the release policy refusing to move
 * `production` to a version without a passing run, then allowing it once the passing gate run exists.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
import { serveRest } from "@/server/testing/rest-server";
import { evalRunKind } from "./runs/executor";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-eval-acceptance-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

const CASES = 200;
/** Version 2 of the prompt apologises instead of greeting on these cases: its regressions. */
const broken = (i: number) => i % 4 === 0;

let db: Db;
let fake: FakeUpstream;
let workers: JobWorkers | null = null;
let rest: Awaited<ReturnType<typeof serveRest>> | null = null;
let restUrl = "";
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let datasetVersionId: string;
let promptId: string;

withTestDatabase(async (created, url) => {
  db = created;
  // Judges' calls are logged by the process's request-log writer, which `npm start` points at DATABASE_URL.
  process.env.DATABASE_URL = url;
  await jobEngine(url);
  // The upstream echoes the last message; asked to judge (the rubric's marker), it grades a greeting A, else C.
  fake = await startFakeUpstream(async (req, res) => {
    const messages = (req.body as { messages?: { content: string }[] }).messages ?? [];
    const text = messages.map((m) => m.content).join("\n");
    if (text.includes("JUDGE-RUBRIC")) {
      const answer = /Answer to grade: echo: Hello/.test(text) ? "A" : "C";
      await reply(req, res, [`The answer is graded.\nAnswer: ${answer}`]);
      return;
    }
    await reply(req, res, [`echo: ${messages.at(-1)?.content ?? ""}`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  const rows = Array.from({ length: CASES }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `ticket ${i}` },
        { role: "assistant", content: `echo: Hello Ada${i}` },
      ],
      metadata: { variables: { name: `Ada${i}`, n: i } },
    }),
  );
  const imported = await importDataset(
    { db, caller: systemCaller(fixture.project.id) },
    {
      ...importQuery.parse({ name: "greetings", format: "chat" }),
      source: [new TextEncoder().encode(`${rows.join("\n")}\n`)],
    },
  );
  datasetVersionId = imported.version.id;

  const prompt = await fixture.caller.prompts.create({
    name: "greet",
    type: "chat",
    template: [{ role: "user", content: "Hello {{ name }}" }],
    config: { model: "fake-gpt@production" },
  });
  promptId = prompt.promptId;
  await fixture.caller.prompts.createVersion({
    promptId,
    template: [{ role: "user", content: "{% if n % 4 == 0 %}Sorry {{ name }}{% else %}Hello {{ name }}{% endif %}" }],
    config: { model: "fake-gpt@production" },
  });
  await fixture.caller.prompts.moveLabel({ promptId, label: "production", version: 1 });

  await fixture.caller.evaluators.create({ name: "exact", type: "exact", config: { useExpected: true } });
  await fixture.caller.evaluators.create({ name: "similar", type: "levenshtein", config: { useExpected: true } });
  await fixture.caller.evaluators.create({
    name: "judge",
    type: "llm_judge",
    config: {
      model: "fake-gpt",
      rubric: "JUDGE-RUBRIC: is this a friendly greeting?\nAnswer to grade: {{ output }}",
      choices: { A: 1, C: 0 },
    },
  });
  workers = await startJobWorkers(db, [evalRunKind] as never);

  // REST over real HTTP for the CLI, the way `npm start` serves /api/rest.
  rest = await serveRest(db);
  restUrl = rest.origin;
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await fake?.close();
  await rest?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function finished(id: string, ms = 240_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await fixture.caller.evalRuns.get({ id });
    if (["completed", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status} (${run.doneCases} done)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function cli(args: string[], key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/switchyard.mjs", ...args], {
      env: { ...process.env, SWITCHYARD_URL: restUrl, SWITCHYARD_API_KEY: key, GITHUB_STEP_SUMMARY: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("issue 17 acceptance", () => {
  it("compares two prompt versions on a local model and an upstream with three evaluators, finding v2's regressions", async () => {
    const versions = await db.promptVersion.findMany({ where: { promptId }, orderBy: { version: "asc" } });
    const demo = await db.modelVersion.findFirstOrThrow({
      where: { model: { projectId: fixture.project.id, name: "switchyard-demo" } },
    });
    const created = await fixture.caller.evalRuns.create({
      name: "greet v1 vs v2",
      datasetVersionId,
      targets: [
        { promptVersionId: versions[0].id },
        { promptVersionId: versions[1].id },
        { promptVersionId: versions[0].id, modelVersionId: demo.id, params: { max_tokens: 4, temperature: 0 } },
        { promptVersionId: versions[1].id, modelVersionId: demo.id, params: { max_tokens: 4, temperature: 0 } },
      ],
      evaluators: [{ name: "exact" }, { name: "similar" }, { name: "judge" }],
      concurrency: 8,
    });
    const run = await finished(created.id);
    expect(run.status).toBe("completed");
    expect(await db.evalResult.count({ where: { runId: created.id } })).toBe(CASES * 4);
    // The judge's own calls are logged and priced apart from the targets' (the fake upstream has list prices).
    expect(await db.evalResult.count({ where: { runId: created.id, error: { not: null } } })).toBe(0);

    const compared = await fixture.caller.evalResults.compare({ runA: created.id, targetA: 0, targetB: 1 });
    const expectedRegressions = Array.from({ length: CASES }, (_, i) => i).filter(broken);
    expect(compared.counts.paired).toBe(CASES);
    expect(compared.counts.regressions).toBe(expectedRegressions.length);
    expect(compared.counts.improvements).toBe(0);
    expect(compared.overall.mcnemar.significant).toBe(true);
    const regressed = await fixture.caller.evalResults.compare({
      runA: created.id,
      targetA: 0,
      targetB: 1,
      change: "regression",
      pageSize: 100,
    });
    expect(regressed.cases.items.map((c) => c.caseIndex).sort((a, b) => a - b)).toEqual(expectedRegressions);
    // Every evaluator saw it: exact and the judge fail v2's apologies; the upstream answered each case.
    const judge = compared.evaluators.find((e) => e.metric === "judge");
    expect(judge?.mcnemar.significant).toBe(true);
    const v2Judged = await db.evalResult.findMany({ where: { runId: created.id, targetId: run.targets[1].id } });
    for (const row of v2Judged) {
      const judgeScore = (row.scores as { name: string; score: number }[]).find((s) => s.name === "judge");
      expect(judgeScore?.score).toBe(broken(row.caseIndex) ? 0 : 1);
    }
  }, 300_000);

  it("fails one CLI gate (exit 1, JUnit) and passes another; the policy then lets production move", async () => {
    const key = (
      await makeApiKey(db, fixture.project.id, ["evals:read", "evals:write", "prompts:read", "gateway:invoke"])
    ).key;
    await fixture.caller.releasePolicies.save({
      subjectType: "prompt",
      subjectId: promptId,
      label: "production",
      requirePassingEval: true,
      maxAgeHours: 24,
    });
    // Nothing evaluated version 2 through a gate yet: moving production there is refused, nothing written.
    await expect(fixture.caller.prompts.moveLabel({ promptId, label: "production", version: 2 })).rejects.toThrow(
      /passing eval/i,
    );
    const label = await db.promptLabel.findFirstOrThrow({ where: { promptId, name: "production" } });
    expect(label.versionId).toBe((await db.promptVersion.findFirstOrThrow({ where: { promptId, version: 1 } })).id);

    const out = await mkdtemp(path.join(tmpdir(), "switchyard-gate-"));
    try {
      const common = [
        "eval",
        "--prompt",
        "greet",
        "--dataset",
        "greetings",
        "--evaluator",
        "exact",
        "--timeout",
        "280",
      ];
      // v2 breaks a quarter of the cases: exact's pass rate drops by 0.25, more than the 0.02 allowed.
      const failing = await cli(
        [
          ...common,
          "--candidate",
          "2",
          "--threshold",
          "exact.pass_rate>=-0.02 vs baseline",
          "--junit",
          `${out}/fail.xml`,
        ],
        key,
      );
      expect(failing.code, failing.stderr).toBe(1);
      const junit = await readFile(`${out}/fail.xml`, "utf8");
      expect(junit).toMatch(/<testsuite[^>]*failures="1"/);
      expect(junit).toContain("<failure");

      // An absolute bar v2 clears (0.75 >= 0.7): the gate passes and its run is the evidence the policy wants.
      const passing = await cli(
        [...common, "--candidate", "2", "--threshold", "exact.pass_rate>=0.7", "--junit", `${out}/pass.xml`],
        key,
      );
      expect(passing.code, passing.stderr).toBe(0);
      expect(await readFile(`${out}/pass.xml`, "utf8")).toMatch(/<testsuite[^>]*failures="0"/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    await fixture.caller.prompts.moveLabel({ promptId, label: "production", version: 2 });
    const moved = await db.promptLabel.findFirstOrThrow({ where: { promptId, name: "production" } });
    expect(moved.versionId).toBe((await db.promptVersion.findFirstOrThrow({ where: { promptId, version: 2 } })).id);
  }, 600_000);
});
