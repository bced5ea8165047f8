import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { artifactStore } from "@/server/modules/artifacts/store";
import { healthResponse } from "@/server/modules/health/service";
import { getInferenceEngine } from "@/server/modules/inference/engine";
import { registerDemoModel } from "@/server/modules/models/demo";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-health-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
afterAll(async () => {
  await getInferenceEngine().close();
  await rm(dataDir, { recursive: true, force: true });
});

withTestDatabase((created) => {
  db = created;
});

describe("health", () => {
  it("reports the version, a reachable database and up-to-date migrations", async () => {
    const response = await healthResponse({ db });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, migrations: { upToDate: true, pending: [] } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.migrations.applied).toBeGreaterThan(0);
    expect(body.inference.devices.cpu).toBeDefined();
    expect(["auto", "cpu", "cuda", "webgpu"]).toContain(body.inference.preference);
  });

  it("names a loaded model by the registry versions it serves, keyed by its artifact", async () => {
    const { project, owner } = await makeProject(db, "Health");
    const actor = { type: "system" as const, userId: null, keyId: null, label: "test" };
    await registerDemoModel({ db, store: artifactStore() }, { projectId: project.id, actor });
    const caller = callerFor(db, owner.principal, project.id);
    const [model] = (await caller.models.list({})).items;
    const v1 = (await caller.models.get({ id: model.id })).versions[0];
    // A second version of the same artifact: one session, both names.
    await caller.models.createVersion({ modelId: model.id, artifactId: v1.artifactId! });
    const key = (await makeApiKey(db, project.id)).key;
    for (const ref of ["switchyard-demo@1", "switchyard-demo@2"]) {
      const response = await streamRunResponse(
        new Request("http://localhost/api/rest/playground/stream", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: ref, input: { prompt: "abc" }, params: { maxTokens: 3 } }),
        }),
        { db, session: async () => null },
      );
      expect(await response.text()).toContain("event: done");
    }

    const body = await (await healthResponse({ db }, { names: true })).json();
    const artifact = await db.modelArtifact.findUniqueOrThrow({ where: { id: v1.artifactId! } });
    expect(body.inference.models).toEqual([
      expect.objectContaining({
        key: artifact.sha256,
        name: "switchyard-demo@1, switchyard-demo@2",
        device: "cpu",
        running: 0,
        waiting: 0,
      }),
    ]);
    expect(body.inference.models[0].sizeBytes).toBeGreaterThan(0);
    expect(body.inference.devices.cpu).toEqual({ status: "available" });
    // Anonymous callers (health is public) see the artifact, not the project's model names.
    const anonymous = await (await healthResponse({ db })).json();
    expect(anonymous.inference.models[0].name).toBe(`artifact ${artifact.sha256.slice(0, 12)}`);
  });

  it("answers 503 when the database cannot be reached, without leaking the URL", async () => {
    const dead = createDb("postgresql://postgres:hunter2@127.0.0.1:9/nothing");
    try {
      const response = await healthResponse({ db: dead });
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.status).toBe("down");
      expect(body.database.ok).toBe(false);
      expect(JSON.stringify(body)).not.toContain("hunter2");
    } finally {
      await dead.$disconnect();
    }
  });

  it("reports pending migrations as degraded", async () => {
    await db.$executeRawUnsafe(`DELETE FROM _prisma_migrations`);
    const body = await (await healthResponse({ db })).json();
    expect(body.status).toBe("degraded");
    expect(body.migrations.pending.length).toBeGreaterThan(0);
  });
});
