/**
 * Concluding is a decision people act on: no default winner, and a winner the data does not back (not
 * significant, planned size not reached, sample-ratio mismatch) only with an explicit acknowledgement.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let promptId: string;
let owner: ReturnType<typeof callerFor>;
let viewer: ReturnType<typeof callerFor>;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  const fixture = await makeProject(db);
  owner = callerFor(db, fixture.owner.principal, fixture.project.id);
  viewer = callerFor(db, (await addMember(db, fixture.project.id, "viewer")).principal, fixture.project.id);
  ({ promptId } = await owner.prompts.create({ name: "greeter", type: "text", template: "Hello {{ name }}" }));
  await owner.prompts.createVersion({ promptId, template: "Hi there, {{ name }}!" });
  await owner.prompts.moveLabel({ promptId, label: "production", version: 1 });
});

/** A running experiment with `units` units and thumbs-up rates per variant (deterministic). */
async function running(name: string, units: number, rates: { control: number; friendly: number }, planned?: number) {
  const experiment = await owner.experiments.create({
    name,
    promptId,
    metrics: [{ name: "thumbs_up", kind: "rate" }],
    plannedUnitsPerArm: planned,
    variants: [
      { key: "control", weight: 50, promptVersion: 1 },
      { key: "friendly", weight: 50, promptVersion: 2 },
    ],
  });
  await owner.experiments.start({ id: experiment.id });
  const assigned = await owner.experiments.assign({
    experimentId: experiment.id,
    unitIds: Array.from({ length: units }, (_, i) => `${name}-${i}`),
  });
  const outcomes = assigned.map((a, i) => ({
    unitId: a.unitId!,
    metric: "thumbs_up",
    value: (i * 7919) % 100 < rates[a.variant!.key as "control" | "friendly"] * 100 ? 1 : 0,
  }));
  await owner.experiments.recordOutcomes({ experimentId: experiment.id, outcomes });
  return experiment;
}

// Read from the table: the label cache of prompts.fetch catches up through NOTIFY, not at once.
const production = async () => {
  const label = await db.promptLabel.findFirstOrThrow({
    where: { promptId, name: "production" },
    select: { version: { select: { version: true } } },
  });
  return label.version.version;
};

describe("concluding an experiment", () => {
  it("has no default winner: the caller names one, or null for no winner", async () => {
    const experiment = await running("no default", 40, { control: 0.2, friendly: 0.2 }, 10);
    await expect(
      owner.experiments.conclude({ experimentId: experiment.id, reason: "" } as never),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("winnerKey") });
    await expect(
      owner.experiments.conclude({ experimentId: experiment.id, winnerKey: null, promote: true }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Choose a winner to promote") });
    const kept = await owner.experiments.conclude({
      experimentId: experiment.id,
      winnerKey: null,
      reason: "no effect",
    });
    expect(kept.status).toBe("concluded");
    expect(kept.decision).toMatchObject({ winnerKey: null, promoted: null, acknowledgedRisks: [] });
    expect(await production()).toBe(1);
  });

  it("refuses promoting a winner that is not significant unless acknowledged, and records what was acknowledged", async () => {
    // 21 % vs 20 % on ~100 units per arm: nowhere near significant; the plan (100 per arm) is small enough.
    const experiment = await running("not significant", 200, { control: 0.2, friendly: 0.21 }, 50);
    const refused = owner.experiments.conclude({ experimentId: experiment.id, winnerKey: "friendly", promote: true });
    await expect(refused).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /friendly's difference from control on thumbs_up is not significant \(Holm-adjusted p = 0\.\d{4}/,
      ),
    });
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining("acknowledgeNotSignificant") });
    // Nothing was written: still running, the label did not move.
    expect((await owner.experiments.get({ id: experiment.id })).status).toBe("running");
    expect(await production()).toBe(1);

    const concluded = await owner.experiments.conclude({
      experimentId: experiment.id,
      winnerKey: "friendly",
      promote: true,
      acknowledgeNotSignificant: true,
      reason: "shipping the friendlier tone anyway",
    });
    expect(concluded.decision).toMatchObject({
      winnerKey: "friendly",
      promoted: { label: "production", version: 2 },
      acknowledgedRisks: [expect.stringContaining("not significant")],
    });
    expect(await production()).toBe(2);
    await owner.prompts.moveLabel({ promptId, label: "production", version: 1 });
  });

  it("treats a significant winner before the planned size, or without a plan, as peeking", async () => {
    const early = await running("early", 400, { control: 0.1, friendly: 0.5 }, 5000);
    await expect(owner.experiments.conclude({ experimentId: early.id, winnerKey: "friendly" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("planned size is not reached"),
    });
    const unplanned = await running("unplanned", 400, { control: 0.1, friendly: 0.5 });
    await expect(
      owner.experiments.conclude({ experimentId: unplanned.id, winnerKey: "friendly" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("No planned sample size") });
    // Reached and significant: concludes without any acknowledgement.
    const done = await running("done", 400, { control: 0.1, friendly: 0.5 }, 150);
    const concluded = await owner.experiments.conclude({ experimentId: done.id, winnerKey: "friendly" });
    expect(concluded.decision).toMatchObject({ winnerKey: "friendly", acknowledgedRisks: [] });
  });

  it("keeps viewers out of every write", async () => {
    const experiment = await running("viewer", 20, { control: 0.2, friendly: 0.2 }, 5);
    await expect(viewer.experiments.conclude({ experimentId: experiment.id, winnerKey: null })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(viewer.experiments.stop({ id: experiment.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await viewer.experiments.results({ id: experiment.id })).variants).toHaveLength(2);
  });
});
