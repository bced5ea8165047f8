import { beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/server/crypto/secrets";
import type { Db } from "@/server/db";
import { resolveModelRef } from "@/server/modules/models/service";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

async function upstreamModel(name: string) {
  return owner().models.create({
    name,
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 0.5,
    priceOutputPerMTok: 1.5,
  });
}

describe("model registry", () => {
  it("registers a model with metadata, and refuses a duplicate name with CONFLICT", async () => {
    const model = await owner().models.create({
      name: "gpt-mini",
      provider: "openai-compatible",
      task: "chat",
      contextLength: 128_000,
      license: "proprietary",
      priceInputPerMTok: 0.15,
      priceOutputPerMTok: 0.6,
      tags: ["fast", "cheap"],
    });
    expect(model).toMatchObject({
      name: "gpt-mini",
      provider: "openai-compatible",
      priceInputPerMTok: 0.15,
      latestVersion: null,
    });
    await expect(
      owner().models.create({ name: "gpt-mini", provider: "anthropic", task: "chat" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("gpt-mini"),
    });
    const listed = await owner().models.list({ search: "cheap", page: 1, pageSize: 20 });
    expect(listed.items.map((m) => m.name)).toEqual(["gpt-mini"]);
  });

  it("numbers versions 1, 2, 3… even when created concurrently", async () => {
    const model = await upstreamModel("concurrent");
    const versions = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        owner().models.createVersion({
          modelId: model.id,
          endpointBaseUrl: "http://127.0.0.1:9/v1",
          upstreamModelId: `m-${i}`,
        }),
      ),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await owner().models.get({ id: model.id })).latestVersion).toBe(6);
  });

  it("stores the upstream API key encrypted and never returns it", async () => {
    const model = await upstreamModel("secretive");
    const version = await owner().models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "https://api.example.test/v1",
      upstreamModelId: "gpt-x",
      apiKey: "sk-very-secret",
      defaultParams: { temperature: 0.2, maxTokens: 256 },
      source: "vendor catalogue",
    });
    expect(version.hasApiKey).toBe(true);
    expect(JSON.stringify(version)).not.toContain("sk-very-secret");
    expect(JSON.stringify(await owner().models.get({ id: model.id }))).not.toContain("sk-very-secret");
    const row = await db.modelVersion.findUniqueOrThrow({ where: { id: version.id } });
    expect(row.apiKeyCiphertext).not.toContain("sk-very-secret");
    expect(decryptSecret(row.apiKeyCiphertext!)).toBe("sk-very-secret");
  });

  it("validates versions by provider and names the fields", async () => {
    const model = await upstreamModel("strict");
    await expect(owner().models.createVersion({ modelId: model.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("endpoint"),
    });
    await expect(
      owner().models.createVersion({ modelId: model.id, endpointBaseUrl: "not a url", upstreamModelId: "x" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      owner().models.createVersion({
        modelId: model.id,
        endpointBaseUrl: "http://x/v1",
        upstreamModelId: "x",
        defaultParams: { temperature: 9 },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const local = await owner().models.create({ name: "local-one", provider: "onnx-local", task: "chat" });
    await expect(owner().models.createVersion({ modelId: local.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("artifact"),
    });
    await expect(
      owner().models.createVersion({
        modelId: "00000000-0000-4000-8000-000000000000",
        endpointBaseUrl: "http://x/v1",
        upstreamModelId: "x",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await owner().models.get({ id: model.id })).versions).toHaveLength(0);
  });

  it("moves aliases, records every move, and rolls back by moving back", async () => {
    const model = await upstreamModel("deployed");
    for (let i = 0; i < 3; i++)
      await owner().models.createVersion({
        modelId: model.id,
        endpointBaseUrl: "http://x/v1",
        upstreamModelId: `v${i}`,
      });
    await owner().models.moveAlias({ modelId: model.id, alias: "production", version: 1, reason: "first release" });
    await owner().models.moveAlias({ modelId: model.id, alias: "production", version: 3, reason: "upgrade" });
    await owner().models.moveAlias({ modelId: model.id, alias: "staging", version: 3 });
    await expect(
      owner().models.moveAlias({ modelId: model.id, alias: "production", version: 3 }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      owner().models.moveAlias({ modelId: model.id, alias: "production", version: 9 }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(owner().models.moveAlias({ modelId: model.id, alias: "Prod!", version: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // Rollback: production goes back to 1.
    await owner().models.moveAlias({
      modelId: model.id,
      alias: "production",
      version: 1,
      reason: "rollback: errors up",
    });
    const history = await owner().models.aliasHistory({ modelId: model.id, alias: "production" });
    expect(history.map((e) => [e.fromVersion, e.toVersion, e.reason])).toEqual([
      [3, 1, "rollback: errors up"],
      [1, 3, "upgrade"],
      [null, 1, "first release"],
    ]);
    expect(history.every((e) => e.actorLabel === fixture.owner.user.email)).toBe(true);
    const detail = await owner().models.get({ id: model.id });
    expect(detail.aliases).toEqual([
      { name: "production", version: 1 },
      { name: "staging", version: 3 },
    ]);
    expect(detail.versions.find((v) => v.version === 3)!.aliases).toEqual(["staging"]);

    const resolved = await resolveModelRef({ db }, fixture.project.id, "deployed@production");
    expect(resolved.version.version).toBe(1);
    expect((await resolveModelRef({ db }, fixture.project.id, "deployed@2")).version.version).toBe(2);
    // A bare name serves production (v1 after the rollback), not the newest upload; `@latest` asks for that.
    expect(await resolveModelRef({ db }, fixture.project.id, "deployed")).toMatchObject({
      version: { version: 1 },
      alias: "production",
    });
    expect((await resolveModelRef({ db }, fixture.project.id, "deployed@latest")).version.version).toBe(3);
    await expect(resolveModelRef({ db }, fixture.project.id, "deployed@canary")).rejects.toThrow(/no version canary/);

    await owner().models.deleteAlias({ modelId: model.id, alias: "staging" });
    expect((await owner().models.get({ id: model.id })).aliases.map((a) => a.name)).toEqual(["production"]);
  });

  it("lets viewers read but not write, and keeps projects apart", async () => {
    const viewer = await addMember(db, fixture.project.id, "viewer");
    const asViewer = callerFor(db, viewer.principal, fixture.project.id);
    expect((await asViewer.models.list({ page: 1, pageSize: 5 })).total).toBeGreaterThan(0);
    await expect(asViewer.models.create({ name: "nope", provider: "anthropic", task: "chat" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const other = await makeProject(db, "Elsewhere");
    const mine = await upstreamModel("private");
    await expect(
      callerFor(db, other.owner.principal, other.project.id).models.get({ id: mine.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("names a lineage dataset version or fine-tuning job that does not exist (they are foreign keys)", async () => {
    const model = await upstreamModel("lineage");
    const upstream = { modelId: model.id, endpointBaseUrl: "http://x/v1", upstreamModelId: "x" };
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(owner().models.createVersion({ ...upstream, datasetVersionId: missing })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("Dataset version"),
    });
    await expect(owner().models.createVersion({ ...upstream, fineTuneJobId: missing })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("Fine-tuning job"),
    });
    await expect(owner().models.createVersion({ ...upstream, datasetVersionId: "ds-v1" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect((await owner().models.get({ id: model.id })).versions).toHaveLength(0);
  });
});
