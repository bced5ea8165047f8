import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { artifactStore } from "@/server/modules/artifacts/store";
import { getInferenceEngine } from "@/server/modules/inference/engine";
import { registerDemoModel } from "@/server/modules/models/demo";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-devices-view-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
withTestDatabase((created) => {
  db = created;
});
afterAll(async () => {
  await getInferenceEngine().close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("models.devices", () => {
  it("shows each provider, the budget, and loaded models by this project's registry names only", async () => {
    const a = await makeProject(db, "Has the model");
    const actor = { type: "system" as const, userId: null, keyId: null, label: "test" };
    await registerDemoModel({ db, store: artifactStore() }, { projectId: a.project.id, actor });
    const key = (await makeApiKey(db, a.project.id)).key;
    const response = await streamRunResponse(
      new Request("http://localhost/api/rest/playground/stream", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "switchyard-demo", input: { prompt: "abc" }, params: { maxTokens: 2 } }),
      }),
      { db, session: async () => null },
    );
    expect(await response.text()).toContain("event: done");

    const ours = await callerFor(db, a.owner.principal, a.project.id).models.devices({});
    expect(ours.preference).toBe("cpu");
    expect(ours.devices.map((d) => [d.device, d.status])).toEqual([
      ["cpu", "available"],
      // Preference cpu: no GPU is tried.
      ["cuda", "untried"],
      ["webgpu", "untried"],
    ]);
    expect(ours.models).toEqual([
      expect.objectContaining({ names: ["switchyard-demo@1"], device: "cpu", running: 0, waiting: 0 }),
    ]);
    expect(ours.memory.usedBytes).toBe(ours.models[0].sizeBytes);
    expect(ours.memory.budgetBytes).toBeGreaterThan(ours.memory.usedBytes);

    // Another project sees that memory is taken, and on what, but not whose model it is.
    const other = await makeProject(db, "Nothing loaded");
    const theirs = await callerFor(db, other.owner.principal, other.project.id).models.devices({});
    expect(theirs.models).toEqual([expect.objectContaining({ names: [], modelId: null, device: "cpu" })]);
    expect(JSON.stringify(theirs)).not.toContain("switchyard-demo");
  });
});
