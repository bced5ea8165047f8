// Workflows on a real Postgres with real pg-boss workers and a local HTTP server as the webhook target: a run
// through webhook + promote + if + retry + timeout, dependents of a failed step skipped, cancel (reaching a
// step's child job), resumption (finished steps not repeated, a running step re-attached to its child, a worker
// restart), triggers (a schedule fire, a new prompt version, a label move: each exactly once), and the
// procedures' validation, versions and scopes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "@/lib/scopes";
import type { Db } from "@/server/db";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { workflowRunKind } from "./engine";
import { scanTriggers, workflowTriggersJob } from "./triggers";

process.env.SWITCHYARD_WORKFLOW_POLL_MS = "100";

let db: Db;
let dbUrl: string;
let projectId: string;
let owner: ReturnType<typeof callerFor>;
let workers: JobWorkers;
let server: Server;
let base: string;
const hits: Record<string, number> = {};
const bodies: Record<string, unknown[]> = {};
let holdOpen = false;

const startWorkers = () => startJobWorkers(db, [workflowRunKind, workflowTriggersJob] as never);

withTestDatabase(async (created, url) => {
  db = created;
  dbUrl = url;
  const made = await makeProject(db);
  projectId = made.project.id;
  owner = callerFor(db, made.owner.principal, projectId);
  await jobEngine(url);
  workers = await startWorkers();
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits[path] = (hits[path] ?? 0) + 1;
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      bodies[path] = [...(bodies[path] ?? []), raw ? JSON.parse(raw) : null];
      const answer = (status: number) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ path, n: hits[path] }));
      };
      if (path.startsWith("/flaky")) return answer(hits[path] < 3 ? 500 : 200);
      if (path.startsWith("/fail")) return answer(500);
      if (path.startsWith("/slow")) return; // never answers: the step's timeout ends it
      if (path.startsWith("/hold")) {
        const wait = setInterval(() => {
          if (!holdOpen || res.destroyed) return;
          clearInterval(wait);
          answer(200);
        }, 50);
        res.on("close", () => clearInterval(wait));
        return;
      }
      answer(200);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  holdOpen = false;
  await db.workflow.updateMany({ data: { enabled: false } });
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await workers?.stop(0);
  await stopJobEngine(0);
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const FINAL = ["succeeded", "failed", "cancelled"];
const finished = (id: string, ms = 30_000) =>
  until(
    () => owner.workflows.getRun({ id }),
    (r) => FINAL.includes(r.status),
    ms,
  );
const stepOf = (run: { steps: { stepId: string }[] }, id: string) =>
  run.steps.find((s) => s.stepId === id) as never as {
    status: string;
    attempts: number;
    outputs: Record<string, unknown> | null;
    error: string | null;
    logs: { message: string }[];
    jobId: string | null;
  };

async function makePrompt(name: string) {
  const created = await owner.prompts.create({ name, type: "text", template: "Hello {{ name }}", commitMessage: "v1" });
  await owner.prompts.createVersion({ promptId: created.promptId, template: "Hi {{ name }}", commitMessage: "v2" });
  return created.promptId;
}

describe("running a workflow", () => {
  it("runs webhook, promote, if, retry and timeout through; a failed step's dependents are skipped", async () => {
    const promptId = await makePrompt("bot");
    const source = `name: release
inputs:
  version: { type: number, default: 2 }
steps:
  notify:
    uses: webhook
    with: { url: "${base}/ok", body: { version: "\${{ inputs.version }}", note: "v\${{ inputs.version }}" } }
  flaky:
    uses: webhook
    needs: notify
    retry: { attempts: 3, backoffSeconds: 0 }
    with: { url: "${base}/flaky" }
  promote:
    uses: promote
    needs: [notify, flaky]
    if: steps.notify.outputs.status == 200 && inputs.version >= 2
    with: { prompt: bot, label: production, version: "\${{ inputs.version }}" }
  never:
    uses: webhook
    needs: notify
    if: inputs.version > 100
    with: { url: "${base}/never" }
  slow:
    uses: webhook
    timeout: 1
    with: { url: "${base}/slow" }
  after_slow:
    uses: webhook
    needs: slow
    with: { url: "${base}/after-slow" }
  cleanup:
    uses: webhook
    needs: slow
    if: failure()
    with: { url: "${base}/cleanup", body: { failed: "\${{ steps.slow.status }}" } }
`;
    const saved = await owner.workflows.save({ source });
    expect(saved).toMatchObject({ created: true, version: { version: 1 } });
    const started = await owner.workflows.run({ workflowId: saved.workflow.id, inputs: {} });
    const run = await finished(started.id);
    expect(run.status).toBe("failed");
    expect(run.error).toContain("Step 'slow' failed");
    expect(stepOf(run, "notify")).toMatchObject({ status: "succeeded", outputs: { status: 200 } });
    expect(bodies["/ok"]).toEqual([{ version: 2, note: "v2" }]);
    expect(stepOf(run, "flaky")).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(hits["/flaky"]).toBe(3);
    expect(stepOf(run, "promote")).toMatchObject({
      status: "succeeded",
      outputs: { from_version: null, to_version: 2 },
    });
    const prompt = await db.promptLabel.findFirstOrThrow({
      where: { promptId, name: "production" },
      include: { version: true },
    });
    expect(prompt.version.version).toBe(2);
    expect(stepOf(run, "never").status).toBe("skipped");
    expect(hits["/never"]).toBeUndefined();
    expect(stepOf(run, "slow")).toMatchObject({ status: "failed", error: expect.stringContaining("timeout (1 s)") });
    expect(stepOf(run, "after_slow").status).toBe("skipped");
    expect(stepOf(run, "cleanup").status).toBe("succeeded");
    expect(bodies["/cleanup"]).toEqual([{ failed: "failed" }]);
    expect(run.outputs).toMatchObject({ notify: { status: 200 }, promote: { to_version: 2 } });
    const audit = await db.auditLog.findFirst({ where: { projectId, action: "prompt.label.move" } });
    expect(audit?.actorLabel).toBe("workflow release");
  });

  it("fails a step whose webhook keeps failing, after its retries, and skips what needs it", async () => {
    const source = `name: failing
steps:
  a: { uses: webhook, retry: { attempts: 2, backoffSeconds: 0 }, with: { url: "${base}/fail-a" } }
  b: { uses: webhook, needs: a, with: { url: "${base}/b" } }
`;
    const saved = await owner.workflows.save({ source });
    const run = await finished((await owner.workflows.run({ workflowId: saved.workflow.id })).id);
    expect(run.status).toBe("failed");
    expect(stepOf(run, "a")).toMatchObject({ status: "failed", attempts: 2, error: "The webhook answered 500" });
    expect(hits["/fail-a"]).toBe(2);
    expect(stepOf(run, "b").status).toBe("skipped");
  });

  it("cancels a running run: the running step stops, the rest is cancelled, a step's child job is cancelled", async () => {
    const source = `name: cancel-me
steps:
  hold: { uses: webhook, with: { url: "${base}/hold-cancel" } }
  after: { uses: webhook, needs: hold, with: { url: "${base}/after-cancel" } }
`;
    const saved = await owner.workflows.save({ source });
    const started = await owner.workflows.run({ workflowId: saved.workflow.id });
    await until(
      () => owner.workflows.getRun({ id: started.id }),
      (r) => stepOf(r, "hold").status === "running",
    );
    await until(
      async () => hits["/hold-cancel"] ?? 0,
      (n) => n > 0,
    );
    await owner.workflows.cancelRun({ id: started.id });
    const run = await finished(started.id);
    expect(run.status).toBe("cancelled");
    expect(stepOf(run, "hold").status).toBe("cancelled");
    expect(stepOf(run, "after").status).toBe("cancelled");
    expect(hits["/after-cancel"]).toBeUndefined();
    await expect(owner.workflows.cancelRun({ id: started.id })).rejects.toThrow(/already cancelled/);
  });

  it("cancelling a run cancels the child job its step waits on", async () => {
    // A step that re-attaches to a child job still queued (no worker runs its kind here) and waits on it.
    const child = await db.job.create({
      data: { projectId, kind: "dataset.transform", createdByLabel: "test", payload: {} },
    });
    const run = await seededRun(
      `name: child-cancel
steps:
  transform: { uses: dataset_transform, with: { operation: dedupe, version_id: 7b0f6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b } }
`,
      { transform: { status: "running", attempts: 1, jobId: child.id, outputs: {} } },
    );
    await until(
      () => db.job.findUniqueOrThrow({ where: { id: run.jobId } }),
      (j) => j.state === "running",
    );
    await owner.workflows.cancelRun({ id: run.id });
    expect((await finished(run.id)).status).toBe("cancelled");
    expect((await db.job.findUniqueOrThrow({ where: { id: child.id } })).state).toBe("cancelled");
  });
});

describe("the gate step", () => {
  it("fails on a failed eval run's verdict (its dependents skipped) unless continue_on_fail, then `if` decides", async () => {
    const summary = { targets: [], baselinePosition: 0, gatePassed: false };
    const evalRun = await db.evalRun.create({
      data: {
        projectId,
        status: "completed",
        datasetVersionId: "7b0f6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        summary,
        createdByLabel: "test",
      },
    });
    const source = `name: gated
steps:
  strict: { uses: gate, with: { run_id: ${evalRun.id} } }
  after_strict: { uses: webhook, needs: strict, with: { url: "${base}/after-strict" } }
  lenient: { uses: gate, with: { run_id: ${evalRun.id}, continue_on_fail: true } }
  ship:
    uses: webhook
    needs: lenient
    if: steps.lenient.outputs.passed == true
    with: { url: "${base}/ship" }
  report:
    uses: webhook
    needs: lenient
    if: "!steps.lenient.outputs.passed"
    with: { url: "${base}/report" }
`;
    const saved = await owner.workflows.save({ source });
    const run = await finished((await owner.workflows.run({ workflowId: saved.workflow.id })).id);
    expect(stepOf(run, "strict")).toMatchObject({
      status: "failed",
      attempts: 1,
      error: "The gate failed",
      outputs: { passed: false },
    });
    expect(stepOf(run, "after_strict").status).toBe("skipped");
    expect(stepOf(run, "lenient")).toMatchObject({ status: "succeeded", outputs: { passed: false } });
    expect(stepOf(run, "ship").status).toBe("skipped");
    expect(stepOf(run, "report").status).toBe("succeeded");
    expect(run.status).toBe("failed");
  });
});

/** A run written as if an earlier process had got this far, then handed to the job runtime. */
async function seededRun(
  source: string,
  steps: Record<string, { status: string; attempts: number; outputs?: Record<string, unknown>; jobId?: string }>,
) {
  const saved = await owner.workflows.save({ source });
  const version = await db.workflowVersion.findFirstOrThrow({ where: { workflowId: saved.workflow.id } });
  const run = await db.workflowRun.create({
    data: {
      projectId,
      workflowId: saved.workflow.id,
      versionId: version.id,
      status: "running",
      createdByLabel: "test",
    },
  });
  for (const [stepId, s] of Object.entries(steps))
    await db.workflowStepRun.create({
      data: {
        runId: run.id,
        stepId,
        status: s.status,
        attempts: s.attempts,
        outputs: s.outputs as never,
        jobId: s.jobId ?? null,
      },
    });
  const { enqueueJob } = await import("@/server/modules/jobs/enqueue");
  const job = await enqueueJob(db, workflowRunKind, {
    projectId,
    payload: { runId: run.id },
    createdBy: { userId: null, label: "test" },
  });
  await db.workflowRun.update({ where: { id: run.id }, data: { jobId: job.id } });
  return { id: run.id, jobId: job.id };
}

describe("resuming", () => {
  it("does not repeat finished steps and re-attaches a running step to its child job", async () => {
    const child = await db.job.create({
      data: {
        projectId,
        kind: "dataset.transform",
        state: "succeeded",
        createdByLabel: "test",
        payload: {},
        result: { versionId: "11111111-2222-4333-8444-555555555555", version: 4, exampleCount: 10 },
      },
    });
    const run = await seededRun(
      `name: resume
steps:
  first: { uses: webhook, with: { url: "${base}/first" } }
  transform:
    uses: dataset_transform
    needs: first
    with: { operation: dedupe, version_id: 7b0f6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b }
  last:
    uses: webhook
    needs: transform
    with: { url: "${base}/last", body: { version: "\${{ steps.transform.outputs.version }}" } }
`,
      {
        first: { status: "succeeded", attempts: 1, outputs: { status: 200, body: null } },
        transform: { status: "running", attempts: 1, jobId: child.id, outputs: {} },
      },
    );
    const done = await finished(run.id);
    expect(done.status).toBe("succeeded");
    expect(hits["/first"]).toBeUndefined();
    expect(stepOf(done, "transform")).toMatchObject({
      status: "succeeded",
      attempts: 1,
      jobId: child.id,
      outputs: { version: 4 },
    });
    expect(bodies["/last"]).toEqual([{ version: 4 }]);
    // Re-attached: no second transform was started.
    expect(await db.job.count({ where: { kind: "dataset.transform", createdAt: { gt: child.createdAt } } })).toBe(0);
  });

  it("continues after a worker restart without repeating what finished", async () => {
    const source = `name: restart
steps:
  a: { uses: webhook, with: { url: "${base}/restart-a" } }
  b: { uses: webhook, needs: a, with: { url: "${base}/hold-restart" } }
`;
    const saved = await owner.workflows.save({ source });
    const started = await owner.workflows.run({ workflowId: saved.workflow.id });
    await until(
      async () => hits["/hold-restart"] ?? 0,
      (n) => n > 0,
    );
    await workers.stop(0);
    await jobEngine(dbUrl);
    workers = await startWorkers();
    holdOpen = true;
    // The given-back job waits for the engine to hand it out again (its heartbeat lapse at worst).
    const run = await finished(started.id, 90_000);
    expect(run.status).toBe("succeeded");
    expect(hits["/restart-a"]).toBe(1);
    expect(stepOf(run, "b").status).toBe("succeeded");
    expect(stepOf(run, "b").logs.map((l) => l.message)).toContain("Attempt 1 of 1");
  }, 120_000);
});

describe("triggers", () => {
  const runsOf = (workflowId: string) =>
    db.workflowRun.findMany({ where: { workflowId }, orderBy: { createdAt: "asc" } });

  it("fires a schedule once per fire time", async () => {
    const saved = await owner.workflows.save({
      source: `name: nightly\ntriggers:\n  - schedule: { cron: "*/5 * * * *" }\nsteps:\n  ping: { uses: webhook, with: { url: "${base}/nightly" } }\n`,
    });
    const id = saved.workflow.id;
    await db.workflow.update({ where: { id }, data: { scheduleCursor: new Date("2030-01-01T10:00:30Z") } });
    const now = new Date("2030-01-01T10:05:10Z");
    expect(await scanTriggers(db, now)).toBe(1);
    expect(await scanTriggers(db, now)).toBe(0);
    // A scan that repeats the same window (a crash before the cursor moved) starts nothing again.
    await db.workflow.update({ where: { id }, data: { scheduleCursor: new Date("2030-01-01T10:00:30Z") } });
    expect(await scanTriggers(db, now)).toBe(0);
    const runs = await runsOf(id);
    expect(runs.map((r) => r.trigger)).toEqual([{ type: "schedule", fire_time: "2030-01-01T10:05:00.000Z" }]);
    expect((await finished(runs[0].id)).status).toBe("succeeded");
  });

  it("starts a run for a new prompt version and for a label move, each exactly once", async () => {
    const promptId = await makePrompt("watched");
    const saved = await owner.workflows.save({
      source: `name: on-change
triggers:
  - new_version: { prompt: watched }
  - label_moved: { prompt: watched, label: staging }
steps:
  ping:
    uses: webhook
    with: { url: "${base}/on-change", body: { type: "\${{ trigger.type }}", version: "\${{ trigger.version }}" } }
`,
    });
    const id = saved.workflow.id;
    expect(await scanTriggers(db)).toBe(0); // versions 1 and 2 are older than the workflow
    const v3 = await owner.prompts.createVersion({ promptId, template: "Hey {{ name }}", commitMessage: "v3" });
    await owner.prompts.moveLabel({ promptId, label: "staging", version: 2 });
    expect(await scanTriggers(db)).toBe(2);
    expect(await scanTriggers(db)).toBe(0);
    await db.workflow.update({ where: { id }, data: { eventsCursor: new Date(0) } });
    expect(await scanTriggers(db)).toBe(0);
    const runs = await runsOf(id);
    expect(
      runs
        .map((r) => r.trigger)
        .sort((a, b) => String((a as { type: string }).type).localeCompare(String((b as { type: string }).type))),
    ).toMatchObject([
      { type: "label_moved", prompt: "watched", label: "staging", version: 2, from_version: null },
      { type: "new_version", prompt: "watched", version: 3, version_id: v3.id },
    ]);
    for (const r of runs) expect((await finished(r.id)).status).toBe("succeeded");
    expect(bodies["/on-change"]).toEqual(
      expect.arrayContaining([
        { type: "new_version", version: 3 },
        { type: "label_moved", version: 2 },
      ]),
    );
  });
});

describe("the procedures", () => {
  it("validates with line and column, versions, refuses an unchanged save and a bad document, checks inputs", async () => {
    const bad = await owner.workflows.validate({
      source: "name: x\nsteps:\n  a:\n    uses: webhook\n   bad: indent\n",
    });
    expect(bad).toMatchObject({ valid: false, errors: [{ line: 5, column: 1 }] });
    await expect(owner.workflows.save({ source: "name: x\nsteps:\n  a: { uses: deploy }\n" })).rejects.toThrow(
      /line 3, column 14: Unknown step type 'deploy'/,
    );
    const source = `name: versions\ninputs:\n  n: { type: number, required: true }\nsteps:\n  a: { uses: webhook, with: { url: "${base}/v" } }\n`;
    const v1 = await owner.workflows.save({ source });
    await expect(owner.workflows.save({ source })).rejects.toThrow(/identical to version 1/);
    const v2 = await owner.workflows.save({ source: `${source}# changed\n`, workflowId: v1.workflow.id });
    expect(v2).toMatchObject({ created: false, version: { version: 2 } });
    await expect(
      owner.workflows.save({ source: source.replace("versions", "renamed"), workflowId: v1.workflow.id }),
    ).rejects.toThrow(/is another workflow/);
    const got = await owner.workflows.get({ id: v1.workflow.id });
    expect(got.versions.map((v) => v.version)).toEqual([2, 1]);
    await expect(owner.workflows.run({ workflowId: v1.workflow.id })).rejects.toThrow(/'n' is required/);
    await expect(owner.workflows.run({ workflowId: v1.workflow.id, inputs: { n: "x" } })).rejects.toThrow(
      /must be a number/,
    );
    await expect(owner.workflows.run({ workflowId: v1.workflow.id, inputs: { m: 1 } })).rejects.toThrow(
      /Unknown input 'm'/,
    );
    const pinned = await owner.workflows.run({ workflowId: v1.workflow.id, version: 1, inputs: { n: 1 } });
    expect(pinned.version).toBe(1);
    expect((await finished(pinned.id)).status).toBe("succeeded");
    expect((await owner.workflows.runs({ workflowId: v1.workflow.id })).map((r) => r.id)).toEqual([pinned.id]);
  });

  it("needs workflows:read to look and workflows:write to save or run", async () => {
    const reader = callerFor(
      db,
      (
        await makeApiKey(
          db,
          projectId,
          SCOPES.filter((s) => s !== "workflows:write"),
        )
      ).principal,
      projectId,
    );
    const none = callerFor(db, (await makeApiKey(db, projectId, ["project:read"])).principal, projectId);
    await expect(none.workflows.list({})).rejects.toThrow(/workflows:read/);
    expect(Array.isArray(await reader.workflows.list({}))).toBe(true);
    await expect(
      reader.workflows.save({ source: "name: x\nsteps:\n  a: { uses: webhook, with: { url: 'https://e.com' } }\n" }),
    ).rejects.toThrow(/workflows:write/);
  });
});
