/**
 * A feedback score as an experiment's outcome metric: the gateway logs each request with its experiment and
 * variant, people give the request a score (request_feedback), and the results read those scores per unit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/random";
import type { Db } from "@/server/db";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let url: string;
let projectId: string;
let owner: ReturnType<typeof callerFor>;
let writer: RequestLogWriter;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});
afterAll(() => writer?.close());

interface Request {
  id: string;
  startedAt: Date;
  unit: string;
  variant: string;
}

beforeAll(async () => {
  const fixture = await makeProject(db);
  projectId = fixture.project.id;
  owner = callerFor(db, fixture.owner.principal, projectId);
  writer = new RequestLogWriter({ connectionString: url, batchSize: 500 });
});

/** Logs one request per (unit, n) as the gateway would, with the variant the unit was assigned. */
async function serve(experimentId: string, units: string[], perUnit: (unit: string) => number) {
  const assigned = await owner.experiments.assign({ experimentId, unitIds: units });
  const experiment = await owner.experiments.get({ id: experimentId });
  const variantId = new Map(experiment.variants.map((v) => [v.key, v.id]));
  const requests: Request[] = [];
  for (const a of assigned)
    for (let i = 0; i < perUnit(a.unitId!); i++) {
      const entry = makeEntry({
        projectId,
        experimentId,
        variantId: variantId.get(a.variant!.key)!,
        userId: a.unitId,
        startedAt: new Date(Date.now() - 60_000 + i),
      });
      writer.record(entry);
      requests.push({ id: entry.id, startedAt: entry.startedAt, unit: a.unitId!, variant: a.variant!.key });
    }
  await writer.flush();
  return requests;
}

const score = (r: Request, name: string, value: number) => ({
  projectId,
  requestId: r.id,
  requestStartedAt: r.startedAt,
  name,
  value,
});

describe("feedback score as an experiment metric", () => {
  it("counts each unit once per variant: share of rated units with a positive score, and the mean of unit means", async () => {
    const { promptId } = await owner.prompts.create({ name: "greeter", type: "text", template: "Hello {{ name }}" });
    await owner.prompts.createVersion({ promptId, template: "Hi there, {{ name }}!" });
    const experiment = await owner.experiments.create({
      name: "feedback metric",
      promptId,
      metrics: [
        { name: "thumbs", kind: "rate", source: "feedback" },
        { name: "stars", kind: "mean", source: "feedback", feedbackName: "rating 1-5" },
      ],
      variants: [
        { key: "control", weight: 50, promptVersion: 1 },
        { key: "friendly", weight: 50, promptVersion: 2 },
      ],
    });
    expect(experiment.metrics[0]).toMatchObject({ source: "feedback", feedbackName: "thumbs" });
    expect(experiment.metrics[1]).toMatchObject({ source: "feedback", feedbackName: "rating 1-5" });
    await owner.experiments.start({ id: experiment.id });
    // Another running experiment in the same project: its requests' scores must not count.
    const other = await owner.experiments.create({
      name: "other",
      promptId,
      metrics: [{ name: "thumbs", kind: "rate", source: "feedback" }],
      variants: [
        { key: "control", weight: 50, promptVersion: 1 },
        { key: "friendly", weight: 50, promptVersion: 2 },
      ],
    });
    await owner.experiments.start({ id: other.id });

    const units = Array.from({ length: 300 }, (_, i) => `user-${i}`);
    // Some units make two requests.
    const requests = await serve(experiment.id, units, (u) => (Number(u.slice(5)) % 3 === 0 ? 2 : 1));
    const otherRequests = await serve(other.id, ["stranger-1", "stranger-2"], () => 1);

    const random = seededRandom(7);
    const rows = [];
    // What the results must say, computed here from the scores as given.
    const expected = new Map<string, { rated: Set<string>; positive: Set<string>; stars: Map<string, number[]> }>();
    for (const key of ["control", "friendly"])
      expected.set(key, { rated: new Set(), positive: new Set(), stars: new Map() });
    for (const r of requests) {
      const e = expected.get(r.variant)!;
      // A fifth of requests get no thumbs at all: not rating is not a thumbs-down.
      if (random() < 0.8) {
        const up = random() < (r.variant === "friendly" ? 0.6 : 0.3) ? 1 : 0;
        rows.push(score(r, "thumbs", up));
        e.rated.add(r.unit);
        if (up) e.positive.add(r.unit);
      }
      if (random() < 0.5) {
        const stars = 1 + Math.floor(random() * 4) + (r.variant === "friendly" ? 1 : 0);
        rows.push(score(r, "rating 1-5", stars));
        e.stars.set(r.unit, [...(e.stars.get(r.unit) ?? []), stars]);
      }
      // A score of another name counts for neither metric.
      rows.push(score(r, "resolved", 1));
    }
    for (const r of otherRequests) rows.push(score(r, "thumbs", 1));
    await db.requestFeedback.createMany({ data: rows });

    const results = await owner.experiments.results({ id: experiment.id });
    expect(results.variants.reduce((s, v) => s + v.units, 0)).toBe(300);
    const thumbs = results.metrics.find((m) => m.name === "thumbs")!;
    expect(thumbs).toMatchObject({ source: "feedback", feedbackName: "thumbs", kind: "rate" });
    for (const key of ["control", "friendly"]) {
      const e = expected.get(key)!;
      const summary = thumbs.analysis.variants.find((v) => v.key === key)!.summary;
      expect(summary.n).toBe(e.rated.size);
      expect(summary).toMatchObject({ metric: "rate", conversions: e.positive.size });
      const stars = results.metrics.find((m) => m.name === "stars")!.analysis.variants.find((v) => v.key === key)!;
      const unitMeans = [...e.stars.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
      expect(stars.summary.n).toBe(unitMeans.length);
      expect(stars.summary.estimate).toBeCloseTo(unitMeans.reduce((a, b) => a + b, 0) / unitMeans.length, 10);
    }
    const comparison = thumbs.analysis.comparisons[0].comparison;
    expect(comparison.significant).toBe(true);
    expect(comparison.difference).toBeGreaterThan(0.15);

    // Outcomes for a feedback metric are refused, naming where they belong.
    await expect(
      owner.experiments.recordOutcomes({
        experimentId: experiment.id,
        outcomes: [{ unitId: "user-1", metric: "thumbs", value: 1 }],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("post it as feedback") });
  });
});
