/**
 * Name resolution as users expect it, one rule for the gateway and every other caller of `resolveModelRef`: a bare
 * name serves its `production` alias (else the latest version) and the response says which; `name@latest` is the
 * latest version; `name@3` / `name:3` pin a version; `name@alias` follows the alias.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { resolveModelRef } from "@/server/modules/models/service";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let upstream: FakeUpstream;
let gateway: StandaloneGateway;
let key: string;
let projectId: string;
let caller: ReturnType<typeof callerFor>;

/** A chat model with `versions` versions on the fake upstream, and the given aliases. */
async function chatModel(name: string, versions: number, aliases: Record<string, number>) {
  const model = await caller.models.create({ name, provider: "openai-compatible", task: "chat" });
  for (let i = 0; i < versions; i++)
    await caller.models.createVersion({
      modelId: model.id,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "fake-model",
    });
  for (const [alias, version] of Object.entries(aliases))
    await caller.models.moveAlias({ modelId: model.id, alias, version });
  return model;
}

beforeAll(async () => {
  upstream = await startFakeUpstream((req, res) => reply(req, res, ["ok"]));
  const { project, owner } = await makeProject(db, "Refs");
  projectId = project.id;
  caller = callerFor(db, owner.principal, project.id);
  key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  // support-bot: v3 is the newest upload, production still on v2, staging on v1.
  await chatModel("support-bot", 3, { production: 2, staging: 1 });
  // draft-bot: no aliases at all.
  await chatModel("draft-bot", 2, {});
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink: new MemorySink(), promptCache: null });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function served(model: string) {
  const response = await fetch(`${gateway.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }] }),
  });
  expect(response.status, model).toBe(200);
  const body = (await response.json()) as { model: string; switchyard: { modelVersion: string; modelAlias?: string } };
  return {
    version: response.headers.get("x-switchyard-model-version"),
    alias: response.headers.get("x-switchyard-model-alias"),
    body,
  };
}

describe("model references on the gateway", () => {
  it("serves a bare name from its production alias and says so", async () => {
    const { version, alias, body } = await served("support-bot");
    expect({ version, alias }).toEqual({ version: "support-bot@2", alias: "production" });
    expect(body.model).toBe("support-bot@2");
    expect(body.switchyard).toMatchObject({ modelVersion: "support-bot@2", modelAlias: "production" });
  });

  it("serves a bare name without a production alias from its latest version", async () => {
    const { version, alias, body } = await served("draft-bot");
    expect({ version, alias }).toEqual({ version: "draft-bot@2", alias: "latest" });
    expect(body.switchyard).toMatchObject({ modelAlias: "latest" });
  });

  it("serves name@latest from the latest version, whatever production says", async () => {
    expect(await served("support-bot@latest")).toMatchObject({ version: "support-bot@3", alias: "latest" });
  });

  it("keeps name@alias, name@3 and name:3 as they were", async () => {
    expect(await served("support-bot@staging")).toMatchObject({ version: "support-bot@1", alias: "staging" });
    for (const ref of ["support-bot@3", "support-bot:3"]) {
      const pinned = await served(ref);
      expect(pinned).toMatchObject({ version: "support-bot@3", alias: null });
      expect(pinned.body.switchyard.modelAlias).toBeUndefined();
    }
  });
});

describe("the same rule everywhere", () => {
  it("resolveModelRef (playground, routes, datasets) picks the same versions", async () => {
    const pick = async (ref: string) => {
      const { version, alias } = await resolveModelRef({ db }, projectId, ref);
      return { version: version.version, alias };
    };
    expect(await pick("support-bot")).toEqual({ version: 2, alias: "production" });
    expect(await pick("draft-bot")).toEqual({ version: 2, alias: "latest" });
    expect(await pick("support-bot@latest")).toEqual({ version: 3, alias: "latest" });
    expect(await pick("support-bot@staging")).toEqual({ version: 1, alias: "staging" });
    expect(await pick("support-bot@3")).toEqual({ version: 3, alias: null });
    expect(await pick("support-bot:3")).toEqual({ version: 3, alias: null });
    await expect(pick("support-bot@9")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reserves `latest`: no alias may take the name", async () => {
    const model = await caller.models.create({ name: "reserved-bot", provider: "openai-compatible", task: "chat" });
    await caller.models.createVersion({
      modelId: model.id,
      endpointBaseUrl: `${upstream.origin}/v1`,
      upstreamModelId: "fake-model",
    });
    await expect(caller.models.moveAlias({ modelId: model.id, alias: "latest", version: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/reserved/),
    });
  });
});
