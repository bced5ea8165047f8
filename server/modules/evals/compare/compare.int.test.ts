/**
 * Eval results and comparison, from rows as an eval run stores them: pairing by case (trials folded), regressions
 * and improvements, the paired statistics worked out by hand here, paging and the cap, the filters of the results
 * list, and access (another project's run is not found; evals:read is needed; REST for CI).
 */
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { type SeedResult, seedEvalRun } from "./testing";

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let projectId: string;
let owner: Principal;
let runId: string;
let otherRunId: string;

const question = (q: string) => ({ messages: [{ role: "user", content: q }] });
const CASES = Array.from({ length: 12 }, (_, i) => ({
  input: i % 2 ? question(`How long do refunds take? (#${i})`) : { variables: { topic: `shipping ${i}` } },
  expected: i % 3 ? `answer ${i}` : { refundDays: 5 },
}));

/** [contains, judge] per case for A (prompt v3) and B (prompt v4); null: no result; "error": the call failed. */
const GRID: [number, [number, number] | null, [number, number] | null | "error"][] = [
  [0, [1, 0.9], [1, 0.9]], // unchanged
  [1, [1, 0.8], [0, 0.8]], // regression: passed → failed
  [2, [1, 0.7], [0, 0.2]], // regression
  [3, [0, 0.3], [1, 0.9]], // improvement: failed → passed
  [4, [1, 1], [1, 0.8]], // regression: both pass, score −0.1 (beyond ε = 0.05)
  [5, [1, 0.6], [1, 0.62]], // unchanged: +0.01
  [6, [0, 0.1], [0, 0.1]], // unchanged, both fail
  [7, [1, 0.9], "error"], // regression: B's call failed
  [8, [1, 0.9], [1, 0.9]], // unchanged
  [9, [1, 0.5], [1, 0.9]], // improvement: both pass, +0.2
  [10, [1, 0.9], null], // only on A
  [11, null, [1, 1]], // only on B
];
const caseScore = (s: [number, number]) => (s[0] + s[1]) / 2;

function results(): SeedResult[] {
  const out: SeedResult[] = [];
  for (const [caseIndex, a, b] of GRID) {
    const scores = ([contains, judge]: [number, number]) => [
      { name: "contains", score: contains, reason: contains ? "contains 'refund'" : "missing 'refund'" },
      { name: "judge", score: judge, reason: `rubric score ${judge}` },
    ];
    if (a)
      out.push({
        target: 0,
        caseIndex,
        output:
          caseIndex === 1
            ? "Refunds take 5 days.\nContact support."
            : caseIndex === 5
              ? "Discount 50% applies"
              : `v3 answer ${caseIndex}`,
        scores: scores(a),
        requestId: `req-a-${caseIndex}`,
        costUsd: 0.001,
      });
    if (b === "error") out.push({ target: 1, caseIndex, error: "upstream answered 503" });
    else if (b)
      out.push({
        target: 1,
        caseIndex,
        output: caseIndex === 1 ? "Refunds take 10 days.\nContact support." : `v4 answer ${caseIndex}`,
        scores: scores(b),
        costUsd: 0.002,
      });
  }
  return out;
}

beforeAll(async () => {
  const fixture = await makeProject(db, "Evals compare");
  projectId = fixture.project.id;
  owner = fixture.owner.principal;
  const seeded = await seedEvalRun(db, {
    projectId,
    name: "support v3 vs v4",
    targets: [{ label: "support v3 · tiny" }, { label: "support v4 · tiny" }],
    cases: CASES,
    results: results(),
  });
  runId = seeded.run.id;
  // A second run answering the same cases: an earlier baseline with every case at [1, 0.9].
  const other = await seedEvalRun(db, {
    projectId,
    name: "last week",
    targets: [{ label: "support v2 · tiny" }],
    cases: CASES,
    results: GRID.slice(0, 10).map(([caseIndex]) => ({
      target: 0,
      caseIndex,
      output: "v2",
      scores: [
        { name: "contains", score: 1 },
        { name: "judge", score: 0.9 },
      ],
    })),
  });
  otherRunId = other.run.id;
});

const api = () => callerFor(db, owner, projectId);

describe("compare two targets of one run", () => {
  it("pairs cases, classifies them, and lists regressions worst first", async () => {
    const c = await api().evalResults.compare({ runA: runId, targetA: 0, targetB: 1, pageSize: 100 });
    expect(c.a).toMatchObject({ targetLabel: "support v3 · tiny", cases: 11 });
    expect(c.b).toMatchObject({ targetLabel: "support v4 · tiny", cases: 11 });
    expect(c.counts).toEqual({ paired: 10, regressions: 4, improvements: 2, unchanged: 4, onlyA: 1, onlyB: 1 });
    expect(c.capped).toBe(false);
    expect(c.cases.items.map((i) => [i.caseIndex, i.change])).toEqual([
      [7, "regression"], // −0.95 (the call failed: scores 0)
      [2, "regression"], // −0.75
      [1, "regression"], // −0.5
      [4, "regression"], // −0.1
      [3, "improvement"], // +0.8
      [9, "improvement"], // +0.2
      [0, "unchanged"],
      [5, "unchanged"],
      [6, "unchanged"],
      [8, "unchanged"],
      [10, "only_a"],
      [11, "only_b"],
    ]);
    const one = c.cases.items.find((i) => i.caseIndex === 1);
    expect(one?.delta).toBeCloseTo(0.4 - 0.9, 12);
    expect(one?.inputPreview).toBe("How long do refunds take? (#1)");
    expect(one?.diff).toMatchObject({ additions: 1, deletions: 1 });
    expect(one?.diff?.hunks[0].lines.map((l) => `${l.type}:${l.text}`)).toEqual([
      "remove:Refunds take 5 days.",
      "add:Refunds take 10 days.",
      "context:Contact support.",
    ]);
    expect(one?.a).toMatchObject({ passed: true, requestId: "req-a-1", trials: 1 });
    expect(one?.evaluators.find((e) => e.name === "contains")).toMatchObject({
      scoreA: 1,
      scoreB: 0,
      passedA: true,
      passedB: false,
      reasonA: "contains 'refund'",
      reasonB: "missing 'refund'",
    });
    const failedCall = c.cases.items.find((i) => i.caseIndex === 7);
    expect(failedCall?.b).toMatchObject({ error: "upstream answered 503", score: 0, passed: false });
    expect(c.cases.items.find((i) => i.caseIndex === 0)?.inputPreview).toBe("topic: shipping 0");
    expect(c.cases.items.find((i) => i.caseIndex === 10)).toMatchObject({ b: null, diff: null, delta: null });
  });

  it("states McNemar, paired t and Wilcoxon over the paired cases, worked out by hand", async () => {
    const c = await api().evalResults.compare({ runA: runId });
    // Pass/fail over cases 0–9: both 0,4,5,8,9; A only 1,2,7; B only 3; neither 6.
    expect(c.overall.mcnemar).toMatchObject({ bothPassed: 5, onlyA: 3, onlyB: 1, bothFailed: 1 });
    expect(c.overall.mcnemar.method).toBe("exact_binomial");
    expect(c.overall.mcnemar.pValue).toBeCloseTo((2 * (1 + 4)) / 16, 12); // 2·P(X ≤ 1), X ~ Bin(4, ½)
    expect(c.overall.passVerdict).toContain("B fixed 1 and broke 3");
    expect(c.overall.passVerdict).toContain("Not significant at 95%");

    const paired = GRID.slice(0, 10).map(([, a, b]) => ({
      a: caseScore(a as [number, number]),
      b: b === "error" ? 0 : caseScore(b as [number, number]),
    }));
    const d = paired.map((p) => p.b - p.a);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(c.overall.pairs).toBe(10);
    expect(c.overall.pairedT.meanDifference).toBeCloseTo(mean, 12);
    expect(c.overall.pairedT.t).toBeCloseTo(mean / (sd / Math.sqrt(10)), 10);
    expect(c.overall.pairedT.df).toBe(9);
    expect(c.overall.meanA).toBeCloseTo(paired.reduce((s, p) => s + p.a, 0) / 10, 12);
    // Wilcoxon: 10 pairs, three without a difference (cases 0, 6, 8): the normal approximation.
    expect(c.overall.wilcoxon).toMatchObject({ nonZero: 7, method: "normal", ties: false });
    // Under 30 pairs the words state Wilcoxon.
    expect(c.overall.scoreTest).toBe("wilcoxon");
    expect(c.overall.scoreVerdict).toContain("Wilcoxon signed-rank test");

    // Per evaluator: case 7 has no scores on B, so 9 pairs.
    const contains = c.evaluators.find((e) => e.metric === "contains");
    expect(contains).toMatchObject({ pairs: 9, mcnemar: { onlyA: 2, onlyB: 1, bothPassed: 5, bothFailed: 1 } });
    expect(c.evaluators.map((e) => e.metric)).toEqual(["contains", "judge"]);
  });

  it("pages the cases and filters them by change, the statistics always over all", async () => {
    const page = await api().evalResults.compare({ runA: runId, change: "regression", page: 2, pageSize: 2 });
    expect(page.cases.total).toBe(4);
    expect(page.cases.items.map((i) => i.caseIndex)).toEqual([1, 4]);
    expect(page.counts.paired).toBe(10);
  });

  it("caps the cases compared and says so", async () => {
    const c = await api().evalResults.compare({ runA: runId, maxCases: 5 });
    expect(c.capped).toBe(true);
    expect(c.maxCases).toBe(5);
    expect(c.counts).toMatchObject({ paired: 5, regressions: 3, improvements: 1, unchanged: 1 });
  });

  it("widens epsilon: a smaller score drop is not a regression", async () => {
    const c = await api().evalResults.compare({ runA: runId, epsilon: 0.15 });
    expect(c.cases.items.find((i) => i.caseIndex === 4)?.change).toBe("unchanged");
    expect(c.counts.regressions).toBe(3);
  });
});

describe("trials and runs", () => {
  it("folds trials: the case's mean score and the verdict of most trials", async () => {
    const trial = (target: number, t: number, score: number): SeedResult => ({
      target,
      caseIndex: 0,
      trial: t,
      output: `t${t}`,
      scores: [{ name: "exact", score }],
    });
    const { run } = await seedEvalRun(db, {
      projectId,
      trials: 3,
      targets: [{ label: "A" }, { label: "B" }],
      cases: CASES.slice(0, 1),
      results: [trial(0, 0, 1), trial(0, 1, 1), trial(0, 2, 0), trial(1, 0, 0), trial(1, 1, 0), trial(1, 2, 1)],
    });
    const c = await api().evalResults.compare({ runA: run.id });
    const [only] = c.cases.items;
    expect(only).toMatchObject({ change: "regression", a: { trials: 3, passed: true, output: "t0" } });
    expect(only.a?.score).toBeCloseTo(2 / 3, 12);
    expect(only.b?.score).toBeCloseTo(1 / 3, 12);
  });

  it("compares targets of two runs", async () => {
    const c = await api().evalResults.compare({ runA: otherRunId, targetA: 0, runB: runId, targetB: 1 });
    expect(c.a.runName).toBe("last week");
    expect(c.b.runName).toBe("support v3 vs v4");
    // A passes every case; B fails 1, 2, 6 and 7.
    expect(c.counts).toMatchObject({ paired: 10, onlyB: 1, onlyA: 0 });
    expect(c.overall.mcnemar).toMatchObject({ onlyA: 4, onlyB: 0 });
  });

  it("refuses a target compared with itself and a position the run does not have", async () => {
    await expect(api().evalResults.compare({ runA: runId, targetA: 1, targetB: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(api().evalResults.compare({ runA: runId, targetB: 7 })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "The run has no target at position 7",
    });
  });
});

describe("run detail and results", () => {
  it("counts live while a run goes, and reads the written summary with its intervals once it ends", async () => {
    const live = await api().evalResults.run({ runId });
    expect(live.summarized).toBe(false);
    expect(live.evaluators).toEqual(["contains", "judge"]);
    const b = live.targets[1];
    expect(b).toMatchObject({ position: 1, results: 11, errors: 1 });
    // B's scored cases: 0–6, 8, 9, 11 (7 failed).
    const scored = GRID.filter(([, , s]) => Array.isArray(s)).map(([, , s]) => caseScore(s as [number, number]));
    expect(b.overall.n).toBe(10);
    expect(b.overall.mean).toBeCloseTo(scored.reduce((s, x) => s + x, 0) / scored.length, 12);
    expect(b.overall.passRate).toBeCloseTo(7 / 11, 12); // 0, 3, 4, 5, 8, 9, 11 of 11 (the failed call fails)
    expect(b.overall.ci).toBeNull();
    expect(b.evaluators.contains).toMatchObject({ n: 10, passRate: 7 / 10 });
    expect(b.costUsd).toBeCloseTo(0.002 * 10, 12);

    const summary = (label: string) => ({
      targetId: "x",
      position: 0,
      label,
      results: 3,
      errors: 0,
      overall: {
        n: 3,
        mean: 0.8,
        ci: [0.6, 1] as [number, number],
        passRate: 2 / 3,
        passCi: [0.2, 0.94] as [number, number],
      },
      evaluators: {
        exact: {
          n: 3,
          mean: 0.8,
          ci: [0.6, 1] as [number, number],
          passRate: 2 / 3,
          passCi: [0.2, 0.94] as [number, number],
        },
      },
      latencyP50Ms: 120,
      latencyP95Ms: 300,
      gate: {
        passed: false,
        checks: [
          {
            metric: "exact",
            stat: "pass_rate" as const,
            value: 0.67,
            baseline: null,
            passed: false,
            message: "exact pass_rate 0.67 < 0.80",
          },
        ],
      },
    });
    const { run } = await seedEvalRun(db, {
      projectId,
      targets: [{ label: "done", summary: summary("done") }],
      cases: CASES.slice(0, 3),
      results: [0, 1, 2].map((caseIndex) => ({ target: 0, caseIndex, scores: [{ name: "exact", score: 1 }] })),
      runSummary: { baselinePosition: null, gatePassed: false },
    });
    const done = await api().evalResults.run({ runId: run.id });
    expect(done).toMatchObject({ summarized: true, gatePassed: false, live: false, trials: 1 });
    expect(done.targets[0].overall).toEqual({ n: 3, mean: 0.8, ci: [0.6, 1], passRate: 2 / 3, passCi: [0.2, 0.94] });
    expect(done.targets[0].latencyP95Ms).toBe(300);
    expect(done.targets[0].gate?.checks[0].message).toBe("exact pass_rate 0.67 < 0.80");
  });

  it("links the dataset version when it is the project's", async () => {
    const dataset = await db.dataset.create({ data: { projectId, name: "support-cases", format: "chat" } });
    const version = await db.datasetVersion.create({
      data: {
        datasetId: dataset.id,
        version: 3,
        operation: "import",
        contentHash: "x",
        exampleCount: 1,
        createdByLabel: "test",
      },
    });
    const { run } = await seedEvalRun(db, {
      projectId,
      datasetVersionId: version.id,
      targets: [{ label: "t" }],
      cases: CASES.slice(0, 1),
      results: [],
    });
    const detail = await api().evalResults.run({ runId: run.id });
    expect(detail.dataset).toEqual({ datasetId: dataset.id, name: "support-cases", versionId: version.id, version: 3 });
  });

  it("filters results by target, failure, evaluator, score and output text, a page at a time", async () => {
    const list = (input: Record<string, unknown>) => api().evalResults.results({ runId, ...input });
    const all = await list({ pageSize: 5 });
    expect(all.total).toBe(22);
    expect(all.items.map((r) => [r.targetPosition, r.caseIndex])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
      [0, 4],
    ]);
    const last = await list({ pageSize: 5, page: 5 });
    expect(last.items.map((r) => [r.targetPosition, r.caseIndex])).toEqual([
      [1, 9],
      [1, 11],
    ]);
    expect((await list({ target: 1, failedOnly: true })).items.map((r) => r.caseIndex)).toEqual([1, 2, 6, 7]);
    const containsFailed = await list({ evaluator: "contains" });
    expect(containsFailed.items.map((r) => [r.targetPosition, r.caseIndex])).toEqual([
      [0, 3],
      [0, 6],
      [1, 1],
      [1, 2],
      [1, 6],
    ]);
    const lowJudge = await list({ evaluator: "judge", below: 0.5 });
    expect(lowJudge.items.map((r) => [r.targetPosition, r.caseIndex])).toEqual([
      [0, 3],
      [0, 6],
      [1, 2],
      [1, 6],
    ]);
    expect((await list({ search: "10 DAYS" })).items.map((r) => [r.targetPosition, r.caseIndex])).toEqual([[1, 1]]);
    // LIKE's wildcards are taken literally.
    expect((await list({ search: "%" })).items.map((r) => r.caseIndex)).toEqual([5]);
    const row = (await list({ target: 0, pageSize: 2, page: 1 })).items[1];
    expect(row).toMatchObject({
      caseIndex: 1,
      output: "Refunds take 5 days.\nContact support.",
      expected: "answer 1",
      requestId: "req-a-1",
      passed: true,
    });
    expect(row.scores.map((s) => [s.name, s.score, s.passed, s.reason])).toEqual([
      ["contains", 1, true, "contains 'refund'"],
      ["judge", 0.8, true, "rubric score 0.8"],
    ]);
    const structured = (await list({ target: 0, pageSize: 1 })).items[0];
    expect(structured.expected).toBe('{"refundDays":5}');
  });
});

describe("access", () => {
  it("another project's run is not found", async () => {
    const stranger = await makeProject(db, "Someone else");
    const theirs = callerFor(db, stranger.owner.principal, stranger.project.id);
    for (const call of [
      () => theirs.evalResults.run({ runId }),
      () => theirs.evalResults.results({ runId }),
      () => theirs.evalResults.compare({ runA: runId }),
      () => api().evalResults.compare({ runA: runId, runB: "00000000-0000-4000-8000-000000000000" }),
    ])
      await expect(call()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("needs evals:read: viewers read, a key without it is refused, nobody anonymous", async () => {
    const viewer = await addMember(db, projectId, "viewer");
    expect((await callerFor(db, viewer.principal, projectId).evalResults.run({ runId })).id).toBe(runId);
    const narrow = await makeApiKey(db, projectId, ["project:read", "datasets:read"]);
    await expect(callerFor(db, narrow.principal, projectId).evalResults.compare({ runA: runId })).rejects.toMatchObject(
      { code: "FORBIDDEN" },
    );
    await expect(callerFor(db, null, projectId).evalResults.run({ runId })).rejects.toBeInstanceOf(TRPCError);
  });

  it("CI GETs a comparison over REST with an API key, and a bad parameter is a 400 naming it", async () => {
    const { key } = await makeApiKey(db, projectId, ["evals:read"]);
    const get = (query: string) =>
      handleRest(
        new Request(`http://localhost/api/rest/evals/compare?${query}`, {
          headers: { authorization: `Bearer ${key}` },
        }),
        { db, session: async () => null },
      );
    const ok = await get(`runA=${runId}&targetA=0&targetB=1&pageSize=3`);
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.counts.regressions).toBe(4);
    expect(body.cases.items).toHaveLength(3);
    const bad = await get(`runA=${runId}&targetB=two`);
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["targetB"]);
  });
});
