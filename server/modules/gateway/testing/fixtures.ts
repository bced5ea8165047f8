/** The project every gateway test talks to: the local demo model, an upstream model, prompts and an experiment. */
import type { Db } from "@/server/db";
import { artifactStore } from "@/server/modules/artifacts/store";
import { registerDemoModel } from "@/server/modules/models/demo";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

export const UPSTREAM_REPLY = "Hello, wörld";

export async function gatewayFixture(db: Db, upstreamOrigin: string) {
  const { project, owner } = await makeProject(db, "Gateway");
  const caller = callerFor(db, owner.principal, project.id);
  await registerDemoModel(
    { db, store: artifactStore() },
    { projectId: project.id, actor: { type: "system", userId: null, keyId: null, label: "test" } },
  );
  const key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;

  const upstream = await caller.models.create({
    name: "fake-gpt",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 1,
    priceOutputPerMTok: 2,
  });
  await caller.models.createVersion({
    modelId: upstream.id,
    endpointBaseUrl: `${upstreamOrigin}/v1`,
    upstreamModelId: "fake-model",
    apiKey: "sk-upstream-secret",
    defaultParams: { maxTokens: 64 },
  });
  await caller.models.moveAlias({ modelId: upstream.id, alias: "production", version: 1 });

  const support = await caller.prompts.create({
    name: "support/reply",
    type: "chat",
    template: [
      { role: "system", content: "You help {{ customer }}." },
      { role: "user", content: "Ticket: {{ ticket }}" },
    ],
    config: { model: "fake-gpt@production", params: { temperature: 0.1 } },
  });
  await caller.prompts.moveLabel({ promptId: support.promptId, label: "production", version: 1 });

  const greeter = await caller.prompts.create({
    name: "greeter",
    type: "chat",
    template: [{ role: "user", content: "Say hi to {{ name }}" }],
    config: { model: "switchyard-demo@production" },
  });
  await caller.prompts.createVersion({
    promptId: greeter.promptId,
    template: [{ role: "user", content: "Greet {{ name }} warmly" }],
    config: { model: "switchyard-demo@production", params: { maxTokens: 40 } },
  });
  await caller.prompts.moveLabel({ promptId: greeter.promptId, label: "production", version: 1 });
  const experiment = await caller.experiments.create({
    name: "greeting-test",
    promptId: greeter.promptId,
    metrics: [{ name: "thumbs_up", kind: "rate" }],
    variants: [
      { key: "control", weight: 50, promptVersion: 1 },
      { key: "friendly", weight: 50, promptVersion: 2 },
    ],
  });
  await caller.experiments.start({ id: experiment.id });

  return { project, owner, caller, key, upstreamModelId: upstream.id, experimentId: experiment.id };
}

/** Registers an OpenAI-compatible model `name` whose version 1 is served by `origin` (a fake upstream). */
export async function registerUpstreamModel(
  caller: ReturnType<typeof callerFor>,
  name: string,
  origin: string,
  prices: { priceInputPerMTok?: number; priceOutputPerMTok?: number } = {},
) {
  const model = await caller.models.create({ name, provider: "openai-compatible", task: "chat", ...prices });
  await caller.models.createVersion({ modelId: model.id, endpointBaseUrl: `${origin}/v1`, upstreamModelId: "m" });
  return model;
}
