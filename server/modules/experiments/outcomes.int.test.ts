/**
 * Outcomes count only for units (or requests) that were exposed: posted for
 * anyone else they are ignored, and the REST answer says how many and why.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let key: string;
let experimentId: string;
let owner: ReturnType<typeof callerFor>;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  const { project, owner: user } = await makeProject(db);
  owner = callerFor(db, user.principal, project.id);
  key = (await makeApiKey(db, project.id)).key;
  const { promptId } = await owner.prompts.create({ name: "greeter", type: "text", template: "Hello {{ name }}" });
  await owner.prompts.createVersion({ promptId, template: "Hi there, {{ name }}!" });
  const experiment = await owner.experiments.create({
    name: "exposure only",
    promptId,
    metrics: [
      { name: "converted", kind: "rate" },
      { name: "rating", kind: "mean" },
    ],
    variants: [
      { key: "control", weight: 50, promptVersion: 1 },
      { key: "friendly", weight: 50, promptVersion: 2 },
    ],
  });
  experimentId = experiment.id;
  await owner.experiments.start({ id: experimentId });
});

async function postOutcomes(outcomes: { unitId?: string; requestId?: string; metric: string; value: number }[]) {
  const response = await handleRest(
    new Request(`http://localhost/api/rest/experiments/${experimentId}/outcomes`, {
      method: "POST",
      body: JSON.stringify({ outcomes }),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );
  return { status: response.status, body: await response.json() };
}

/** Per variant: units, and the rate metric's conversions and the mean metric's n. */
async function tally() {
  const results = await owner.experiments.results({ id: experimentId });
  const rate = results.metrics.find((m) => m.name === "converted")!.analysis;
  const mean = results.metrics.find((m) => m.name === "rating")!.analysis;
  return results.variants.map((v) => ({
    key: v.key,
    units: v.units,
    conversions: (rate.variants.find((r) => r.key === v.key)!.summary as { conversions: number }).conversions,
    ratings: mean.variants.find((r) => r.key === v.key)!.summary.n,
  }));
}

describe("experiment outcomes", () => {
  it("counts exposed units, ignores and reports the never-exposed ones, and their conversions do not move", async () => {
    const exposed = Array.from({ length: 10 }, (_, i) => `seen-${i}`);
    await owner.experiments.assign({ experimentId, unitIds: exposed });
    const counted = await postOutcomes(
      exposed.slice(0, 3).map((unitId) => ({ unitId, metric: "converted", value: 1 })),
    );
    expect(counted).toEqual({ status: 200, body: { recorded: 3, ignored: 0, ignoredOutcomes: [] } });
    const before = await tally();
    expect(before.reduce((sum, v) => sum + v.units, 0)).toBe(10);
    expect(before.reduce((sum, v) => sum + v.conversions, 0)).toBe(3);

    // Seven units that were never assigned (in the traffic share or not, they were never served a variant),
    // and a request id no exposure was logged with; an exposed unit in the same batch still counts.
    const strangers = Array.from({ length: 7 }, (_, i) => `never-${i}`);
    const answer = await postOutcomes([
      ...strangers.map((unitId) => ({ unitId, metric: "converted", value: 1 })),
      { unitId: strangers[0], metric: "rating", value: 5 },
      { requestId: "req-never-logged", metric: "converted", value: 1 },
      { unitId: exposed[9], metric: "rating", value: 4 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.recorded).toBe(1);
    expect(answer.body.ignored).toBe(9);
    expect(answer.body.ignoredOutcomes.map((o: { index: number }) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(answer.body.ignoredOutcomes[0].reason).toMatch(/^unit never exposed/);
    expect(answer.body.ignoredOutcomes[8].reason).toMatch(/^request never exposed/);

    const after = await tally();
    expect(after.map(({ key, units, conversions }) => ({ key, units, conversions }))).toEqual(
      before.map(({ key, units, conversions }) => ({ key, units, conversions })),
    );
    const ratings = (t: typeof after) => t.reduce((sum, v) => sum + v.ratings, 0);
    expect(ratings(after)).toBe(ratings(before) + 1);
    expect(await db.experimentOutcome.count({ where: { experimentId, unitId: { in: strangers } } })).toBe(0);
  });

  it("leaves out of the results outcomes stored for units never exposed (rows from before the check)", async () => {
    const before = await tally();
    const variant = await db.experimentVariant.findFirstOrThrow({ where: { experimentId } });
    await db.experimentOutcome.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        experimentId,
        variantId: variant.id,
        unitId: `legacy-${i}`,
        metric: "converted",
        value: 1,
      })),
    });
    expect(await tally()).toEqual(before);
  });

  it("still refuses a batch naming an unknown metric, storing nothing", async () => {
    const count = await db.experimentOutcome.count();
    const answer = await postOutcomes([
      { unitId: "seen-1", metric: "converted", value: 1 },
      { unitId: "seen-2", metric: "nope", value: 1 },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues[0].path).toBe("outcomes.1.metric");
    expect(await db.experimentOutcome.count()).toBe(count);
  });
});
