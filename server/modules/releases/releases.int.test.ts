// Release policies: moving a guarded label or alias needs a passing eval run of exactly that version within the
// policy's age (over its dataset version when it names one); a refusal is 409 with what is missing and writes
// nothing; owners and admins may override with a reason, which is recorded; editors cannot change a policy.
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  failingGate,
  insertFinishedRun,
  makeDatasetVersion,
  passingGate,
} from "@/server/modules/evals/gates/testing/runs";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let fixture: Awaited<ReturnType<typeof makeProject>>;
let editor: Awaited<ReturnType<typeof addMember>>;
let promptId: string;
let versionIds: Record<number, string>;
let datasetVersionId: string;
let otherDatasetVersionId: string;
let ciKey: string;

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
const asEditor = () => callerFor(db, editor.principal, fixture.project.id);
const projectId = () => fixture.project.id;

const rest = (key: string, method: string, path: string, body?: unknown) =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );

const productionVersion = async () =>
  (
    await db.promptLabel.findUnique({
      where: { promptId_name: { promptId, name: "production" } },
      include: { version: true },
    })
  )?.version.version;

beforeAll(async () => {
  fixture = await makeProject(db);
  editor = await addMember(db, projectId(), "editor");
  const created = await owner().prompts.create({ name: "support", type: "text", template: "Answer: {{ q }}" });
  promptId = created.promptId;
  await owner().prompts.createVersion({ promptId, template: "Answer briefly: {{ q }}" });
  await owner().prompts.createVersion({ promptId, template: "Answer kindly: {{ q }}" });
  const versions = await db.promptVersion.findMany({ where: { promptId } });
  versionIds = Object.fromEntries(versions.map((v) => [v.version, v.id]));
  await owner().prompts.moveLabel({ promptId, label: "production", version: 1 });
  datasetVersionId = await makeDatasetVersion(db, projectId());
  otherDatasetVersionId = await makeDatasetVersion(db, projectId(), "other");
  // The CI automation preset: prompts:write but not releases:write.
  ciKey = (await makeApiKey(db, projectId(), ["prompts:read", "prompts:write", "evals:read", "evals:write"])).key;
  await owner().releasePolicies.save({ subjectType: "prompt", subjectId: promptId, maxAgeHours: 24 });
});

describe("release policy on a prompt label", () => {
  it("refuses moving production to an unevaluated version with 409, saying what is missing, and writes nothing", async () => {
    const events = await db.promptLabelEvent.count({ where: { promptId } });
    const audits = await db.auditLog.count({ where: { projectId: projectId(), action: "prompt.label.move" } });
    const res = await rest(ciKey, "PUT", `/prompts/${promptId}/labels/production`, { version: 2 });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain(
      "version 2 of prompt 'support' has no passing eval run in the last 24 h (it has never been evaluated)",
    );
    expect(body.error.message).toContain("npx switchyard eval --prompt support --candidate 2");
    expect(body.error.message).toContain("override with a reason");
    expect(await productionVersion()).toBe(1);
    expect(await db.promptLabelEvent.count({ where: { promptId } })).toBe(events);
    expect(await db.auditLog.count({ where: { projectId: projectId(), action: "prompt.label.move" } })).toBe(audits);
  });

  it("does not count a failed gate, a run of another version, an unfinished run or a run over another dataset", async () => {
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [{ promptVersionId: versionIds[2], gate: failingGate }],
    });
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [{ promptVersionId: versionIds[3], gate: passingGate }],
    });
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      status: "running",
      targets: [{ promptVersionId: versionIds[2], gate: passingGate }],
    });
    await expect(owner().prompts.moveLabel({ promptId, label: "production", version: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("failed its gate"),
    });
    // Another dataset's passing run does not count once the policy names a dataset version.
    await owner().releasePolicies.save({
      subjectType: "prompt",
      subjectId: promptId,
      maxAgeHours: 24,
      datasetVersionId,
    });
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId: otherDatasetVersionId,
      targets: [{ promptVersionId: versionIds[2], gate: passingGate }],
    });
    await expect(owner().prompts.moveLabel({ promptId, label: "production", version: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`over dataset version ${datasetVersionId}`),
    });
    expect(await productionVersion()).toBe(1);
    await owner().releasePolicies.save({ subjectType: "prompt", subjectId: promptId, maxAgeHours: 24 });
  });

  it("refuses a passing run older than the policy's age, and allows one within it (recording the evidence)", async () => {
    await owner().releasePolicies.save({ subjectType: "prompt", subjectId: promptId, maxAgeHours: 1 });
    const old = await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      finishedAt: new Date(Date.now() - 2 * 3_600_000),
      targets: [{ promptVersionId: versionIds[1] }, { promptVersionId: versionIds[3], gate: passingGate }],
      baselinePosition: 0,
    });
    // The run of version 3 from the first test is fresh, so use it at 1 h only after the stale one is refused.
    await db.evalRun.updateMany({
      where: { projectId: projectId(), id: { not: old } },
      data: { finishedAt: new Date(Date.now() - 3 * 3_600_000) },
    });
    await expect(owner().prompts.moveLabel({ promptId, label: "production", version: 3 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("no passing eval run in the last 1 h (its newest passing run finished 2 h ago)"),
    });
    const fresh = await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [{ promptVersionId: versionIds[1] }, { promptVersionId: versionIds[3], gate: passingGate }],
      baselinePosition: 0,
    });
    // An editor (or a CI key) may move it now: the eval is the permission.
    const event = await asEditor().prompts.moveLabel({
      promptId,
      label: "production",
      version: 3,
      reason: "gate passed",
    });
    expect(event).toMatchObject({ fromVersion: 1, toVersion: 3, reason: "gate passed" });
    const audit = await db.auditLog.findFirst({
      where: { projectId: projectId(), action: "prompt.label.move" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit?.summary).toMatchObject({ to: 3, evalRunId: fresh });
  });

  it("lets only owners and admins override, with a reason, and records it", async () => {
    await expect(
      asEditor().prompts.moveLabel({
        promptId,
        label: "production",
        version: 2,
        overridePolicy: true,
        reason: "hotfix",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("releases:write") });
    await expect(
      owner().prompts.moveLabel({ promptId, label: "production", version: 2, overridePolicy: true }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("needs a reason") });
    expect(await productionVersion()).toBe(3);

    const event = await owner().prompts.moveLabel({
      promptId,
      label: "production",
      version: 2,
      overridePolicy: true,
      reason: "hotfix for the outage",
    });
    expect(event).toMatchObject({ toVersion: 2, reason: "Release policy overridden: hotfix for the outage" });
    const override = await db.auditLog.findFirst({ where: { projectId: projectId(), action: "release.override" } });
    expect(override).toMatchObject({ actorLabel: fixture.owner.user.email, targetId: promptId });
    expect(override?.summary).toMatchObject({
      label: "production",
      version: 2,
      reason: "hotfix for the outage",
      refused: expect.stringContaining("no passing eval run"),
    });
  });

  it("leaves labels without a policy alone", async () => {
    const event = await asEditor().prompts.moveLabel({ promptId, label: "staging", version: 2 });
    expect(event.toVersion).toBe(2);
  });
});

describe("release policy on a model alias", () => {
  it("refuses an unevaluated version and allows one with a passing run", async () => {
    const model = await owner().models.create({ name: "gpt-small", provider: "openai-compatible", task: "chat" });
    const v1 = await owner().models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "http://127.0.0.1:9/v1",
      upstreamModelId: "a",
    });
    const v2 = await owner().models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "http://127.0.0.1:9/v1",
      upstreamModelId: "b",
    });
    await owner().models.moveAlias({ modelId: model.id, alias: "production", version: v1.version });
    await owner().releasePolicies.save({ subjectType: "model", subjectId: model.id });
    await expect(
      asEditor().models.moveAlias({ modelId: model.id, alias: "production", version: v2.version }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(
        "version 2 of model 'gpt-small' has no passing eval run in the last 168 h (it has never been evaluated). Run `npx switchyard eval --model-name gpt-small --candidate 2",
      ),
    });
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [{ modelVersionId: v1.id }, { modelVersionId: v2.id, gate: passingGate }],
      baselinePosition: 0,
    });
    const event = await asEditor().models.moveAlias({ modelId: model.id, alias: "production", version: v2.version });
    expect(event).toMatchObject({ fromVersion: 1, toVersion: 2 });
    // Deleting the guarded alias would let the newest version through unevaluated: refused while the policy stands.
    await expect(owner().models.deleteAlias({ modelId: model.id, alias: "production" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("cannot be removed while the policy requires a passing eval"),
    });
  });
});

describe("a policy's own thresholds", () => {
  it("judges the evidence run by the policy's bar, not the bar whoever ran the eval chose", async () => {
    const created = await owner().prompts.create({ name: "billing", type: "text", template: "Bill: {{ q }}" });
    const id = created.promptId;
    await owner().prompts.createVersion({ promptId: id, template: "Bill v2: {{ q }}" });
    await owner().prompts.createVersion({ promptId: id, template: "Bill v3: {{ q }}" });
    const ids = Object.fromEntries(
      (await db.promptVersion.findMany({ where: { promptId: id } })).map((v) => [v.version, v.id]),
    );
    await owner().prompts.moveLabel({ promptId: id, label: "production", version: 1 });
    const saved = await owner().releasePolicies.save({
      subjectType: "prompt",
      subjectId: id,
      thresholds: [
        { metric: "exact", stat: "pass_rate", threshold: 0.9 },
        { metric: "overall", minAbsoluteChange: 0 },
      ],
    });
    expect(saved.thresholds).toEqual([
      { metric: "exact", stat: "pass_rate", threshold: 0.9, higherIsBetter: true },
      { metric: "overall", stat: "mean", minAbsoluteChange: 0, higherIsBetter: true },
    ]);
    const production = async () =>
      (
        await db.promptLabel.findUnique({
          where: { promptId_name: { promptId: id, name: "production" } },
          include: { version: true },
        })
      )?.version.version;

    // The run's own (lax) gate passed, but the exact pass rate is 0.8: below the policy's 0.9.
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [
        { promptVersionId: ids[1], score: 0.7 },
        { promptVersionId: ids[2], score: 0.8, gate: passingGate },
      ],
      baselinePosition: 0,
    });
    await expect(owner().prompts.moveLabel({ promptId: id, label: "production", version: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(
        /misses the policy's thresholds: exact pass rate 80\.0 % is below the minimum 90\.0 %/,
      ),
    });
    // High enough, but measured against v3 as the baseline, not what production points at (v1): no comparison.
    await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [
        { promptVersionId: ids[3], score: 0.5 },
        { promptVersionId: ids[2], score: 0.95 },
      ],
      baselinePosition: 0,
    });
    await expect(owner().prompts.moveLabel({ promptId: id, label: "production", version: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("overall mean: no baseline to compare with"),
    });
    expect(await production()).toBe(1);
    // High enough and better than v1 in the same run: allowed, though that run set no thresholds of its own.
    const good = await insertFinishedRun(db, {
      projectId: projectId(),
      datasetVersionId,
      targets: [
        { promptVersionId: ids[1], score: 0.7 },
        { promptVersionId: ids[2], score: 0.95 },
      ],
      baselinePosition: 0,
    });
    const event = await owner().prompts.moveLabel({ promptId: id, label: "production", version: 2 });
    expect(event.toVersion).toBe(2);
    const audit = await db.auditLog.findFirst({
      where: { projectId: projectId(), action: "prompt.label.move", targetId: id },
      orderBy: { createdAt: "desc" },
    });
    expect(JSON.stringify(audit?.summary)).toContain(good);
  });

  it("refuses thresholds that do not parse, with the field's path", async () => {
    const created = await owner().prompts.create({ name: "refunds", type: "text", template: "R: {{ q }}" });
    await expect(
      owner().releasePolicies.save({
        subjectType: "prompt",
        subjectId: created.promptId,
        thresholds: [{ metric: "exact", stat: "median" } as never],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("thresholds") });
  });
});

describe("release policy CRUD", () => {
  it("needs releases:write to change a policy, validates it, and audits every change", async () => {
    await expect(
      asEditor().releasePolicies.save({ subjectType: "prompt", subjectId: promptId, maxAgeHours: 1000 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const res = await rest(ciKey, "GET", `/release-policies?subjectType=prompt&subjectId=${promptId}`);
    expect(res.status).toBe(403);

    const bad = await owner()
      .releasePolicies.save({ subjectType: "prompt", subjectId: promptId, maxAgeHours: 0 })
      .catch((error: Error) => error);
    expect(bad).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("maxAgeHours") });
    await expect(
      owner().releasePolicies.save({ subjectType: "prompt", subjectId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      owner().releasePolicies.save({
        subjectType: "prompt",
        subjectId: promptId,
        datasetVersionId: "00000000-0000-4000-8000-000000000000",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("Dataset version") });

    const list = await asEditor().releasePolicies.list({ subjectType: "prompt", subjectId: promptId });
    expect(list).toEqual([expect.objectContaining({ label: "production", maxAgeHours: 1, requirePassingEval: true })]);
    await owner().releasePolicies.delete({ subjectType: "prompt", subjectId: promptId, label: "production" });
    expect(await owner().releasePolicies.list({ subjectType: "prompt", subjectId: promptId })).toEqual([]);
    const actions = await db.auditLog.findMany({
      where: { projectId: projectId(), action: { startsWith: "release.policy." } },
      select: { action: true },
    });
    expect(new Set(actions.map((a) => a.action))).toEqual(
      new Set(["release.policy.create", "release.policy.update", "release.policy.delete"]),
    );
    // Without a policy the label moves freely again.
    const event = await asEditor().prompts.moveLabel({ promptId, label: "production", version: 1 });
    expect(event.toVersion).toBe(1);
  });
});

describe("experiment promotion", () => {
  it("is a label move: a guarded label refuses an unevaluated winner, and the experiment stays open", async () => {
    const { promptId: id } = await owner().prompts.create({ name: "greeter", type: "text", template: "Hello {{ n }}" });
    await owner().prompts.createVersion({ promptId: id, template: "Hi there, {{ n }}!" });
    await owner().prompts.moveLabel({ promptId: id, label: "production", version: 1 });
    await owner().releasePolicies.save({ subjectType: "prompt", subjectId: id });
    const experiment = await owner().experiments.create({
      name: "friendlier",
      promptId: id,
      metrics: [{ name: "thumbs_up", kind: "rate" }],
      variants: [
        { key: "control", weight: 50, promptVersion: 1 },
        { key: "friendly", weight: 50, promptVersion: 2 },
      ],
    });
    await owner().experiments.start({ id: experiment.id });
    await expect(
      owner().experiments.conclude({
        experimentId: experiment.id,
        winnerKey: "friendly",
        promote: true,
        acknowledgeNotSignificant: true,
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("version 2 of prompt 'greeter' has no passing eval run"),
    });
    expect((await db.experiment.findUniqueOrThrow({ where: { id: experiment.id } })).status).toBe("running");
    const label = await db.promptLabel.findFirstOrThrow({
      where: { promptId: id, name: "production" },
      include: { version: true },
    });
    expect(label.version.version).toBe(1);
  });
});
