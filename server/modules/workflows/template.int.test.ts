// The shipped canary-release template, run through as a user would: saved with the project's names, fired by a
// new prompt version, its eval comparing the candidate with what production serves (real eval.run workers, the
// gateway in-process, a fake OpenAI-compatible upstream), the gate passing, and the canary rollout it starts
// promoted by a person; the label then points at the new version.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CANARY_RELEASE_TEMPLATE } from "@/lib/workflows/templates/canary-release";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { importQuery } from "@/server/modules/datasets/schemas";
import { importDataset } from "@/server/modules/datasets/service";
import { evalRunKind } from "@/server/modules/evals/runs/executor";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { workflowRunKind } from "./engine";
import { scanTriggers } from "./triggers";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-workflow-template-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_WORKFLOW_POLL_MS = "100";

let db: Db;
let fake: FakeUpstream;
let workers: JobWorkers | null = null;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let datasetVersionId: string;

withTestDatabase(async (created, url) => {
  db = created;
  process.env.DATABASE_URL = url;
  await jobEngine(url);
  fake = await startFakeUpstream(async (req, res) => {
    const messages = (req.body as { messages?: { content: string }[] }).messages ?? [];
    await reply(req, res, [`echo: ${messages.at(-1)?.content ?? ""}`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  const rows = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `ticket ${i}` },
        { role: "assistant", content: "echo" },
      ],
      metadata: { variables: { customer: `Ada${i}`, ticket: `T-${i}` } },
    }),
  );
  const imported = await importDataset(
    { db, caller: systemCaller(fixture.project.id) },
    {
      ...importQuery.parse({ name: "tickets", format: "chat" }),
      source: [new TextEncoder().encode(`${rows.join("\n")}\n`)],
    },
  );
  datasetVersionId = imported.version.id;
  await fixture.caller.evaluators.create({ name: "exact-match", type: "contains", config: { value: "echo:" } });
  workers = await startJobWorkers(db, [workflowRunKind, evalRunKind] as never);
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the canary-release template", () => {
  it("runs through: new version → eval against production → gate → canary rollout, promoted", async () => {
    const promptId = (
      await db.prompt.findFirstOrThrow({ where: { projectId: fixture.project.id, name: "support/reply" } })
    ).id;
    const source = CANARY_RELEASE_TEMPLATE.replaceAll("support-bot", "support/reply").replace(
      "00000000-0000-4000-8000-000000000000",
      datasetVersionId,
    );
    const saved = await fixture.caller.workflows.save({ source });
    const v2 = await fixture.caller.prompts.createVersion({
      promptId,
      template: [
        { role: "system", content: "You help {{ customer }}, briefly." },
        { role: "user", content: "Ticket: {{ ticket }}" },
      ],
      config: { model: "fake-gpt@production", params: { temperature: 0.1 } },
    });
    expect(await scanTriggers(db)).toBe(1);
    const [started] = await db.workflowRun.findMany({ where: { workflowId: saved.workflow.id } });
    expect(started.trigger).toMatchObject({ type: "new_version", prompt: "support/reply", version: 2 });

    // The eval and the gate pass; the canary step starts a rollout of v2 on production and waits on it.
    const rollout = await until(
      () => db.rollout.findFirst({ where: { subjectId: promptId } }),
      (r) => r !== null,
      "the canary step's rollout",
    );
    expect(rollout).toMatchObject({ label: "production", candidateVersionId: v2.id, status: "running" });
    const midway = await fixture.caller.workflows.getRun({ id: started.id });
    const step = (id: string) => midway.steps.find((s) => s.stepId === id) as { status: string; outputs: unknown };
    expect(step("eval").status).toBe("succeeded");
    expect(step("eval").outputs).toMatchObject({ status: "completed", gate_passed: true });
    expect(step("gate")).toMatchObject({ status: "succeeded", outputs: { passed: true } });
    const evalRun = await db.evalRun.findFirstOrThrow({ where: { projectId: fixture.project.id } });
    expect(await db.evalResult.count({ where: { runId: evalRun.id } })).toBe(40);

    // Only a person (or a passing analysis) promotes.
    await fixture.caller.rollouts.promote({ id: rollout!.id });
    const run = await until(
      () => fixture.caller.workflows.getRun({ id: started.id }),
      (r) => ["succeeded", "failed", "cancelled"].includes(r.status),
      "the workflow run to finish",
    );
    expect(run.status).toBe("succeeded");
    const label = await db.promptLabel.findFirstOrThrow({ where: { promptId, name: "production" } });
    expect(label.versionId).toBe(v2.id);
  }, 240_000);
});
