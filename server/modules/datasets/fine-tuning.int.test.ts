/** The fine-tuning executor protocol, driven over REST by a small in-test worker. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { artifactStore } from "@/server/modules/artifacts/store";
import { handleDatasetImport } from "@/server/modules/datasets/http";
import { writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { registerDemoModel } from "@/server/modules/models/demo";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-ft-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

let db: Db;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));
const deps = () => ({ db, session: async () => null });
const auth = () => ({ authorization: `Bearer ${key}` });

async function rest(method: string, route: string, body?: unknown) {
  const response = await handleRest(
    new Request(`http://localhost/api/rest${route}`, {
      method,
      headers: { ...auth(), "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    deps(),
  );
  return { status: response.status, body: await response.json() };
}

/** What a GPU worker does: claim, report, upload the trained model, complete. */
async function worker(name: string) {
  const claimed = await rest("POST", "/fine-tuning/claim", { executor: name });
  if (!claimed.body) return null;
  const job = claimed.body;
  for (const [progress, loss] of [
    [0.3, 1.9],
    [0.7, 1.1],
  ])
    expect(
      (await rest("POST", `/fine-tuning/jobs/${job.id}/progress`, { executor: name, progress, metrics: { loss } }))
        .status,
    ).toBe(200);
  const out = await mkdtemp(path.join(tmpdir(), "switchyard-trained-"));
  await writeTestModel(out, { seed: 99 });
  const form = new FormData();
  for (const file of await readdir(out)) form.append("files", new Blob([await readFile(path.join(out, file))]), file);
  const upload = await handleArtifactUpload(
    new Request("http://localhost/api/rest/artifacts/upload", { method: "POST", headers: auth(), body: form }),
    deps(),
  );
  const artifact = await upload.json();
  await rm(out, { recursive: true, force: true });
  return rest("POST", `/fine-tuning/jobs/${job.id}/complete`, { executor: name, artifactId: artifact.id });
}

describe("fine-tuning jobs", () => {
  it("an executor claims, reports and completes a job; the result is a model version with lineage", async () => {
    const demo = await registerDemoModel(
      { db, store: artifactStore() },
      { projectId: fixture.project.id, actor: { type: "system", userId: null, keyId: null, label: "test" } },
    );
    const base = await db.modelVersion.findFirstOrThrow({ where: { modelId: demo!.modelId } });
    const imported = await handleDatasetImport(
      new Request("http://localhost/api/rest/datasets/import?name=ft-data", {
        method: "POST",
        headers: auth(),
        body: `${JSON.stringify({
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "hello" },
          ],
        })}\n`,
      }),
      deps(),
    );
    const dataVersion = (await imported.json()).version.id;

    const created = await rest("POST", "/fine-tuning/jobs", {
      baseModelVersionId: base.id,
      datasetVersionId: dataVersion,
      hyperparameters: { epochs: 3, learningRateMultiplier: 2 },
    });
    expect(created).toMatchObject({ status: 200, body: { status: "queued" } });
    const bad = await rest("POST", "/fine-tuning/jobs", {
      baseModelVersionId: base.id,
      datasetVersionId: dataVersion,
      hyperparameters: { epochs: 0 },
    });
    expect(bad.status).toBe(400);

    // Another executor cannot report on a job it did not claim.
    const [done, idle] = await Promise.all([
      worker("gpu-1"),
      (async () => {
        await new Promise((r) => setTimeout(r, 50));
        return rest("POST", `/fine-tuning/jobs/${created.body.id}/progress`, { executor: "intruder", progress: 0.5 });
      })(),
    ]);
    expect(done?.body).toMatchObject({ status: "succeeded", progress: 1, executor: "gpu-1" });
    expect([403, 409]).toContain(idle.status);

    const result = await db.modelVersion.findUniqueOrThrow({ where: { id: done!.body.resultModelVersionId } });
    expect(result).toMatchObject({
      baseVersionId: base.id,
      datasetVersionId: dataVersion,
      fineTuneJobId: created.body.id,
      version: 2,
    });
    const jobs = await callerFor(db, fixture.owner.principal, fixture.project.id).fineTuning.list({});
    expect(jobs[0].metrics.map((m) => m.loss)).toEqual([1.9, 1.1]);
    // The console names what a job trains, and offers the project's model versions to start from.
    expect(jobs[0]).toMatchObject({ baseModelLabel: "switchyard-demo v1", datasetLabel: "ft-data v1" });
    const bases = await callerFor(db, fixture.owner.principal, fixture.project.id).fineTuning.baseVersions({});
    expect(bases.map((b) => b.label).sort()).toEqual(["switchyard-demo v1", "switchyard-demo v2"]);
    expect((await rest("POST", "/fine-tuning/claim", { executor: "gpu-2" })).body).toBeNull();
  });

  it("counts tokens with a registered model's tokenizer and enforces a per-example limit", async () => {
    const line = JSON.stringify({
      messages: [
        { role: "user", content: "abcdefghij klmnop" },
        { role: "assistant", content: "qrstuv" },
      ],
    });
    const importWith = async (query: string) => {
      const response = await handleDatasetImport(
        new Request(`http://localhost/api/rest/datasets/import?${query}`, {
          method: "POST",
          headers: auth(),
          body: `${line}\n`,
        }),
        deps(),
      );
      return { status: response.status, body: await response.json() };
    };
    const ok = await importWith("name=tok-ok&tokenizer=switchyard-demo");
    expect(ok.status).toBe(201);
    expect(ok.body.version.params.tokenizer).toBe("switchyard-demo");
    const tooLong = await importWith("name=tok-long&tokenizer=switchyard-demo@production&maxTokens=5");
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.issues[0].message).toMatch(/line 1: .*token/i);
    const unknown = await importWith("name=tok-unknown&tokenizer=nope");
    expect(unknown.status).toBe(404);
  });
});
