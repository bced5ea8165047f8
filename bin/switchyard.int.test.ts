// `npx switchyard eval` as CI runs it: bin/switchyard.mjs in a child process against the REST API served over real
// HTTP. Verdicts come from finished eval runs written to the tables (as the executor leaves them), waited on with
// --run; the create path is exercised up to the server's answers that come before any evaluation starts.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  failingGate,
  insertFinishedRun,
  makeDatasetVersion,
  passingGate,
} from "@/server/modules/evals/gates/testing/runs";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { serveRest } from "@/server/testing/rest-server";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let rest: Awaited<ReturnType<typeof serveRest>> | undefined;
let origin: string;
let key: string;
let readOnlyKey: string;
let projectId: string;
let promptVersionIds: string[];
let datasetVersionId: string;
let dir: string;

beforeAll(async () => {
  const fixture = await makeProject(db);
  projectId = fixture.project.id;
  const owner = callerFor(db, fixture.owner.principal, projectId);
  const created = await owner.prompts.create({ name: "support", type: "text", template: "Answer: {{ q }}" });
  await owner.prompts.createVersion({ promptId: created.promptId, template: "Answer briefly: {{ q }}" });
  const versions = await db.promptVersion.findMany({
    where: { promptId: created.promptId },
    orderBy: { version: "asc" },
  });
  promptVersionIds = versions.map((v) => v.id);
  datasetVersionId = await makeDatasetVersion(db, projectId);
  key = (await makeApiKey(db, projectId, ["evals:read", "evals:write", "prompts:read"])).key;
  readOnlyKey = (await makeApiKey(db, projectId, ["evals:read"])).key;
  dir = await mkdtemp(path.join(tmpdir(), "switchyard-cli-"));
  rest = await serveRest(db);
  origin = rest.origin;
});

afterAll(async () => {
  await rest?.close();
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve("bin/switchyard.mjs"), ...args], {
      // No step summary unless a test asks for one (this suite may itself run in GitHub Actions).
      env: { ...process.env, GITHUB_STEP_SUMMARY: "", SWITCHYARD_URL: origin, SWITCHYARD_API_KEY: key, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const finishedRun = (gate: typeof passingGate, status = "completed") =>
  insertFinishedRun(db, {
    projectId,
    datasetVersionId,
    status,
    baselinePosition: 0,
    targets: [
      { promptVersionId: promptVersionIds[0], label: "support production (v1) · baseline", score: 0.7 },
      { promptVersionId: promptVersionIds[1], label: "support v2 · candidate", score: 0.8, gate },
    ],
  });

describe("switchyard eval --run", () => {
  it("exits 0 on a passing gate, prints the table, and writes JUnit and Markdown", async () => {
    const runId = await finishedRun(passingGate);
    const junit = path.join(dir, "pass.xml");
    const markdown = path.join(dir, "pass.md");
    const ran = await cli(["eval", "--run", runId, "--junit", junit, "--markdown", markdown]);
    expect(ran.stderr).toContain(`run ${runId}: completed 20/20 cases`);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("Gate PASSED: test run");
    expect(ran.stdout).toMatch(/pass {2}overall\.mean +0\.800 +0\.700 +overall mean 0\.800 meets the minimum 0\.750/);
    expect(ran.stdout).toContain(`details: ${origin}/projects/`);
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain('tests="1" failures="0" errors="0"');
    expect(xml).toContain(`<property name="run" value="${runId}"/>`);
    expect(await readFile(markdown, "utf8")).toContain("### ✅ Switchyard gate passed: test run");
  });

  it("exits 1 on a failing gate, with the failed check in JUnit, and appends to GITHUB_STEP_SUMMARY", async () => {
    const runId = await finishedRun(failingGate);
    const junit = path.join(dir, "fail.xml");
    const summary = path.join(dir, "step-summary.md");
    await writeFile(summary, "earlier step\n");
    const ran = await cli(["eval", "--run", runId, "--junit", junit], { GITHUB_STEP_SUMMARY: summary });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain("Gate FAILED");
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain('tests="2" failures="1" errors="0"');
    expect(xml).toContain(
      '<failure message="exact pass rate 60.0 % vs baseline 70.0 %: 10.0 pts worse; no worse than the baseline required" type="GateThreshold">',
    );
    const written = await readFile(summary, "utf8");
    expect(written.startsWith("earlier step\n### ❌ Switchyard gate failed: test run")).toBe(true);
    expect(written).toContain("1 of 2 checks failed.");
  });

  it("exits 2 when the run failed, and when waiting times out (reporting an errored test case)", async () => {
    const failed = await finishedRun(passingGate, "failed");
    await db.evalRun.update({ where: { id: failed }, data: { error: "budget of $1 spent" } });
    const ranFailed = await cli(["eval", "--run", failed]);
    expect(ranFailed.code).toBe(2);
    expect(ranFailed.stderr).toContain("The eval run failed: budget of $1 spent");

    const running = await finishedRun(passingGate, "running");
    const junit = path.join(dir, "timeout.xml");
    const ranLate = await cli(["eval", "--run", running, "--timeout", "1", "--poll", "0.2", "--junit", junit]);
    expect(ranLate.code).toBe(2);
    expect(ranLate.stderr).toContain(`run ${running}: running 5/20 cases`);
    expect(ranLate.stderr).toContain("Gave up waiting after 1 s (the run is running, 5/20 cases, and goes on:");
    expect(await readFile(junit, "utf8")).toContain('tests="1" failures="0" errors="1"');
  });
});

describe("switchyard eval: errors exit 2 with a message", () => {
  const create = [
    "eval",
    "--prompt",
    "support",
    "--candidate",
    "2",
    "--dataset",
    "golden",
    "--evaluator",
    "exact",
    "--threshold",
    "overall.mean>=0.8",
  ];

  it("names what the server could not find, before any evaluation", async () => {
    const unknownPrompt = await cli(create.map((a) => (a === "support" ? "nope" : a)));
    expect(unknownPrompt.code).toBe(2);
    expect(unknownPrompt.stderr).toContain("POST /eval-gates failed (404): Prompt 'nope' was not found");
    const unknownDataset = await cli(create.map((a) => (a === "golden" ? "golden@7" : a)));
    expect(unknownDataset.code).toBe(2);
    expect(unknownDataset.stderr).toContain("Dataset 'golden' version 7 was not found");
  });

  it("refuses a gate with nothing to check: no production label and only comparisons", async () => {
    const ran = await cli([...create.slice(0, -1), "exact.pass_rate>=0 vs baseline"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("'production' is not set on prompt 'support'");
    expect(ran.stderr).toContain("nothing would be checked");
  });

  it("reports a refused key, a key without the scope, an unreachable server and bad arguments", async () => {
    const refused = await cli(create, { SWITCHYARD_API_KEY: "sk-not-a-key" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("The API key was refused (401)");
    const scoped = await cli(create, { SWITCHYARD_API_KEY: readOnlyKey });
    expect(scoped.code).toBe(2);
    expect(scoped.stderr).toContain("The API key may not do this (403)");
    expect(scoped.stderr).toContain("evals:write");
    const unreachable = await cli(create, { SWITCHYARD_URL: "http://127.0.0.1:9" });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain("Cannot reach http://127.0.0.1:9");
    const bad = await cli(["eval", "--prompt", "support", "--threshold", "overall>0.8"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Run 'switchyard --help' for usage.");
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Thresholds: METRIC[.mean|.pass_rate] (>=|<=) NUMBER[%] [vs baseline]");
  });
});

describe("GET /api/rest/eval-gates/{id}", () => {
  const get = (id: string, apiKey = key) =>
    fetch(`${origin}/api/rest/eval-gates/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });

  it("answers the verdict with the candidate and baseline summaries, and says when there was no baseline", async () => {
    const runId = await finishedRun(failingGate);
    const res = await get(runId);
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({
      id: runId,
      status: "completed",
      passed: false,
      gate: { passed: false },
      candidate: { label: "support v2 · candidate", overall: { mean: 0.8 } },
      baseline: { label: "support production (v1) · baseline", overall: { mean: 0.7 } },
      notes: [],
      links: { api: `/api/rest/eval-gates/${runId}` },
    });
    expect(view.candidate.gate).toBeUndefined();

    const alone = await insertFinishedRun(db, {
      projectId,
      datasetVersionId,
      targets: [{ promptVersionId: promptVersionIds[1], gate: passingGate }],
    });
    const single = await (await get(alone)).json();
    expect(single).toMatchObject({ passed: true, baseline: null });
    expect(single.notes).toEqual(["No baseline: the candidate was judged on absolute thresholds only."]);
  });

  it("does not show another project's run", async () => {
    const other = await makeProject(db, "Other");
    const otherDataset = await makeDatasetVersion(db, other.project.id);
    const theirs = await insertFinishedRun(db, {
      projectId: other.project.id,
      datasetVersionId: otherDataset,
      targets: [{}],
    });
    expect((await get(theirs)).status).toBe(404);
  });
});
