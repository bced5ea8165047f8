// Eval runs written straight into the e2e server's database, as the eval-run executor stores them: a support
// prompt v3 against v4 over a dataset version, three evaluators, every case scored, and a run still going.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const TOPICS = [
  "refund",
  "shipping",
  "password reset",
  "invoice",
  "cancellation",
  "warranty",
  "address change",
  "gift card",
];

/** What target A (v3) and B (v4) answer for case i: v4 is terser, and gets a few cases wrong that v3 got right. */
function answer(
  i: number,
  target: 0 | 1,
): { output: string; scores: { name: string; score: number; reason: string }[] } {
  const topic = TOPICS[i % TOPICS.length];
  const broken = target === 1 && i % 7 === 3; // v4's regressions
  const fixed = target === 1 && i % 11 === 5; // v4's improvements
  const weak = target === 0 && i % 11 === 5; // what v3 got wrong
  const lines =
    target === 0
      ? [
          `Thanks for asking about your ${topic}.`,
          `Our ${topic} policy: it takes 5 business days.`,
          "Anything else I can help with?",
        ]
      : [
          `About your ${topic}:`,
          broken ? "I'm not sure, please contact us." : `It takes 5 business days.`,
          "Anything else I can help with?",
        ];
  if (weak) lines[1] = "Please check our website.";
  const containsOk = !(broken || weak);
  const judge = broken ? 0.3 : weak ? 0.35 : fixed ? 0.9 : 0.7 + ((i * 37 + target * 11) % 25) / 100;
  return {
    output: lines.join("\n"),
    scores: [
      {
        name: "contains-days",
        score: containsOk ? 1 : 0,
        reason: containsOk ? "contains '5 business days'" : "does not contain '5 business days'",
      },
      { name: "json-free", score: 1, reason: "no JSON in a chat answer" },
      {
        name: "helpfulness-judge",
        score: judge,
        reason: judge >= 0.7 ? "Answers the question directly." : "Does not answer the question.",
      },
    ],
  };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Rough 95 % intervals for the seeded summary (the run executor writes the real ones). */
function metric(scores: number[], passes: boolean[]) {
  const n = scores.length;
  const m = mean(scores);
  const sd = Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, n - 1));
  const p = passes.filter(Boolean).length / n;
  const z = 1.96;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return {
    n,
    mean: m,
    ci: [Math.max(0, m - (z * sd) / Math.sqrt(n)), Math.min(1, m + (z * sd) / Math.sqrt(n))],
    passRate: p,
    passCi: [Math.max(0, centre - half), Math.min(1, centre + half)],
  };
}

export interface SeededEvals {
  runId: string;
  runningRunId: string;
  datasetId: string;
}

/** A completed run (v3 vs v4, `cases` cases) with summaries and a gate, and a run halfway through. */
export function seedEvalRuns(projectId: string, cases = 40): Promise<SeededEvals> {
  return withClient(async (client) => {
    const datasetId = randomUUID();
    const versionId = randomUUID();
    await client.query(
      `INSERT INTO datasets (id, project_id, name, format, updated_at) VALUES ($1, $2, 'support-cases', 'chat', now())`,
      [datasetId, projectId],
    );
    await client.query(
      `INSERT INTO dataset_versions (id, dataset_id, version, operation, content_hash, example_count, created_by_label)
       VALUES ($1, $2, 2, 'import', 'e2e', $3, 'e2e')`,
      [versionId, datasetId, cases],
    );
    const insertRun = async (name: string, status: string, done: number, labels: string[], withSummary: boolean) => {
      const runId = randomUUID();
      const targetIds = labels.map(() => randomUUID());
      const started = new Date(Date.UTC(2026, 11, 6, 9, 0));
      const rows: unknown[][] = [];
      const perTarget = labels.map(() => ({
        scores: [] as number[],
        passes: [] as boolean[],
        byEval: new Map<string, { s: number[]; p: boolean[] }>(),
      }));
      for (let i = 0; i < done; i++) {
        for (const [t] of labels.entries()) {
          const { output, scores } = answer(i, t as 0 | 1);
          const verdicts = scores.map((s) => ({ ...s, passed: s.score >= 0.5 }));
          const score = mean(scores.map((s) => s.score));
          const passed = verdicts.every((v) => v.passed);
          perTarget[t].scores.push(score);
          perTarget[t].passes.push(passed);
          for (const v of verdicts) {
            const acc = perTarget[t].byEval.get(v.name) ?? { s: [], p: [] };
            acc.s.push(v.score);
            acc.p.push(v.passed);
            perTarget[t].byEval.set(v.name, acc);
          }
          rows.push([
            runId,
            targetIds[t],
            i,
            JSON.stringify({
              messages: [
                { role: "user", content: `How long does a ${TOPICS[i % TOPICS.length]} take? (ticket ${1000 + i})` },
              ],
            }),
            JSON.stringify("It takes 5 business days."),
            output,
            JSON.stringify(
              verdicts.map((v) => ({
                evaluatorVersionId: randomUUID(),
                version: 1,
                type: v.name.includes("judge") ? "llm_judge" : "contains",
                weight: 1,
                costUsd: 0,
                ...v,
              })),
            ),
            score,
            passed,
            180 + ((i * 53 + t * 97) % 400),
            42 + (i % 9),
            20 + ((i * 3) % 17),
            0.00012 + t * 0.00003,
            `req_${runId.slice(0, 8)}_${t}_${i}`,
            new Date(started.getTime() + i * 1000),
          ]);
        }
      }
      const summaries = labels.map((label, t) => ({
        targetId: targetIds[t],
        position: t,
        label,
        results: done,
        errors: 0,
        overall: metric(perTarget[t].scores, perTarget[t].passes),
        evaluators: Object.fromEntries([...perTarget[t].byEval].map(([name, acc]) => [name, metric(acc.s, acc.p)])),
        latencyP50Ms: 380,
        latencyP95Ms: 560,
        costUsd: done * 0.00012,
        evalCostUsd: 0,
        tokensIn: done * 46,
        tokensOut: done * 28,
        ...(t === 1
          ? {
              gate: {
                passed: false,
                checks: [
                  {
                    metric: "contains-days",
                    stat: "pass_rate",
                    value: perTarget[1].passes.length
                      ? metric(
                          perTarget[1].byEval.get("contains-days")?.s ?? [0],
                          perTarget[1].byEval.get("contains-days")?.p ?? [false],
                        ).passRate
                      : null,
                    baseline: 0.9,
                    passed: false,
                    message: "contains-days pass_rate fell by more than 0.02 against the baseline",
                  },
                  {
                    metric: "latency_p95_ms",
                    stat: "value",
                    value: 560,
                    baseline: null,
                    passed: true,
                    message: "latency_p95_ms 560 ≤ 2000",
                  },
                ],
              },
            }
          : {}),
      }));
      await client.query(
        `INSERT INTO eval_runs (id, project_id, name, status, dataset_version_id, config, total_cases, done_cases, cost_usd,
           eval_cost_usd, summary, created_by_label, created_at, started_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'admin@e2e.test', $11, $11, $12)`,
        [
          runId,
          projectId,
          name,
          status,
          versionId,
          JSON.stringify({ trials: 1, concurrency: 8, evaluators: [] }),
          cases,
          done,
          done * labels.length * 0.00014,
          withSummary ? JSON.stringify({ targets: summaries, baselinePosition: 0, gatePassed: false }) : null,
          started,
          withSummary ? new Date(started.getTime() + 90_000) : null,
        ],
      );
      for (const [t, label] of labels.entries()) {
        await client.query(
          `INSERT INTO eval_targets (id, run_id, position, label, model, params, summary) VALUES ($1, $2, $3, $4, 'tiny', '{}', $5)`,
          [targetIds[t], runId, t, label, withSummary ? JSON.stringify(summaries[t]) : null],
        );
      }
      for (const row of rows) {
        await client.query(
          `INSERT INTO eval_results (run_id, target_id, case_index, trial, input, expected, output, scores, score, passed,
             latency_ms, tokens_in, tokens_out, cost_usd, request_id, created_at)
           VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          row,
        );
      }
      return runId;
    };
    const runId = await insertRun(
      "support v3 vs v4",
      "completed",
      cases,
      ["support v3 · tiny", "support v4 · tiny"],
      true,
    );
    const runningRunId = await insertRun(
      "support v5 nightly",
      "running",
      Math.floor(cases / 2),
      ["support v5 · tiny"],
      false,
    );
    return { runId, runningRunId, datasetId };
  });
}
