"use client";

import { useQuery } from "@tanstack/react-query";
import { CircleCheck, CircleX, GitCompareArrows } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { MetricCellView, RunStatusBadge } from "@/components/eval-results/parts";
import { ResultsList } from "@/components/eval-results/results-list";
import { formatDateTime, formatMoney } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  buttonStyles,
  Card,
  CardContent,
  ErrorState,
  LoadingState,
  PageHeader,
  ProgressBar,
  Stat,
} from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import { type RunDetailOut, targetRef } from "@/lib/evals/compare";

const REFRESH_MS = 3_000;

/** Where "Compare" goes: the baseline target against the next one, or this run against its baseline run. */
function compareHref(projectId: string, run: RunDetailOut): string {
  const base = `/projects/${projectId}/evals/compare`;
  if (run.targets.length >= 2) {
    const a = run.baselinePosition ?? run.targets[0].position;
    const b = run.targets.find((t) => t.position !== a)?.position ?? 1;
    return `${base}?a=${targetRef(run.id, a)}&b=${targetRef(run.id, b)}`;
  }
  if (run.baselineRunId) return `${base}?a=${targetRef(run.baselineRunId, 0)}&b=${targetRef(run.id, 0)}`;
  return `${base}?a=${targetRef(run.id, 0)}`;
}

/** An eval run's results: header, gate, the target × evaluator summary, and every case. Refreshes while it runs. */
export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const detail = useQuery({
    ...trpc.evalResults.run.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data?.live ? REFRESH_MS : false),
  });
  if (detail.isLoading) return <LoadingState label="Loading eval run…" />;
  if (detail.error || !detail.data)
    return <ErrorState message={detail.error?.message ?? "Eval run not found"} onRetry={() => void detail.refetch()} />;
  const run = detail.data;
  const progress = run.totalCases ? (run.doneCases / run.totalCases) * 100 : 0;
  const gates = run.targets.filter((t) => t.gate);
  return (
    <>
      <PageHeader
        title={run.name || "Eval run"}
        breadcrumbs={[{ label: "Evals", href: `/projects/${projectId}/evals` }, { label: run.name || run.id }]}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {run.dataset ? (
              <Link
                className="text-primary hover:underline"
                href={`/projects/${projectId}/datasets/${run.dataset.datasetId}`}
              >
                {run.dataset.name} v{run.dataset.version}
              </Link>
            ) : (
              <span>dataset version {run.datasetVersionId.slice(0, 8)} (deleted)</span>
            )}
            <span>
              started by {run.createdByLabel} · {formatDateTime(run.createdAt)}
            </span>
          </span>
        }
        actions={
          <>
            <RunStatusBadge status={run.status} />
            <Link className={buttonStyles({ variant: "secondary" })} href={compareHref(projectId, run)}>
              <GitCompareArrows aria-hidden /> Compare
            </Link>
          </>
        }
      />
      {run.error && (
        <p role="alert" className="rounded-md bg-danger-soft p-2 text-danger text-sm">
          {run.error}
        </p>
      )}
      {run.live && (
        <ProgressBar
          value={progress}
          label={`${run.doneCases.toLocaleString("en-US")} of ${run.totalCases.toLocaleString("en-US")} cases`}
        />
      )}
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat
          label="Cases"
          value={run.totalCases.toLocaleString("en-US")}
          hint={`${run.trials} trial${run.trials === 1 ? "" : "s"} each`}
        />
        <Stat label="Targets" value={run.targets.length} hint={run.evaluators.join(", ") || "no scores yet"} />
        <Stat
          label="Cost"
          value={formatMoney(run.costUsd + run.evalCostUsd)}
          hint={`evaluators ${formatMoney(run.evalCostUsd)}`}
        />
        <Stat
          label="Gate"
          value={run.gatePassed === null ? "—" : run.gatePassed ? "Passed" : "Failed"}
          hint={run.gatePassed === null ? "no thresholds" : `${gates.length} target(s) judged`}
        />
      </div>
      {gates.length > 0 && (
        <Card>
          <CardContent className="flex flex-col gap-3 pt-4">
            <h2 className="font-medium text-sm">Gate</h2>
            {gates.map((t) => (
              <section key={t.id} aria-label={`Gate for ${t.label}`} className="flex flex-col gap-1">
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-medium">{t.label}</span>
                  <Badge tone={t.gate?.passed ? "success" : "danger"}>{t.gate?.passed ? "passed" : "failed"}</Badge>
                </div>
                <ul className="flex flex-col gap-0.5 text-xs">
                  {t.gate?.checks.map((c) => (
                    <li key={`${c.metric}-${c.stat}-${c.message}`} className="flex items-start gap-1.5">
                      {c.passed ? (
                        <CircleCheck className="size-3.5 shrink-0 text-success" aria-label="passed" />
                      ) : (
                        <CircleX className="size-3.5 shrink-0 text-danger" aria-label="failed" />
                      )}
                      <span>{c.message}</span>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </CardContent>
        </Card>
      )}
      <SummaryTable run={run} />
      <ResultsList runId={run.id} targets={run.targets} evaluators={run.evaluators} live={run.live} />
    </>
  );
}

function SummaryTable({ run }: { run: RunDetailOut }) {
  return (
    <Card>
      <CardContent className="flex flex-col gap-2 pt-4">
        <h2 className="font-medium text-sm">Scores by target and evaluator</h2>
        <p className="text-muted-foreground text-xs">
          {run.summarized
            ? "Mean score ± half the 95% t interval, pass rate ± half the 95% Wilson interval; the bar shows the interval on 0–1."
            : "Counted live from the results so far; the 95% intervals appear when the run ends."}
        </p>
        <ScrollBox label="Scores (scrolls sideways)">
          <table className="w-full min-w-[40rem] text-sm">
            <thead className="text-left text-muted-foreground text-xs">
              <tr className="border-border border-b">
                <th className="py-1.5 pr-4 font-medium">Target</th>
                <th className="pr-4 font-medium">Overall</th>
                {run.evaluators.map((name) => (
                  <th key={name} className="pr-4 font-medium">
                    {name}
                  </th>
                ))}
                <th className="pr-4 font-medium">Latency p50 / p95</th>
                <th className="font-medium">Cost</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {run.targets.map((t) => (
                <tr key={t.id} data-testid={`target-${t.position}`} className="align-top">
                  <td className="py-2 pr-4">
                    <div className="font-medium">{t.label}</div>
                    <div className="text-muted-foreground text-xs">
                      #{t.position}
                      {run.baselinePosition === t.position ? " · baseline" : ""} · {t.results} results
                      {t.errors ? ` · ${t.errors} failed` : ""}
                    </div>
                  </td>
                  <td className="py-2 pr-4">
                    <MetricCellView cell={t.overall} label={`${t.label} overall`} />
                  </td>
                  {run.evaluators.map((name) => (
                    <td key={name} className="py-2 pr-4">
                      <MetricCellView cell={t.evaluators[name]} label={`${t.label} ${name}`} />
                    </td>
                  ))}
                  <td className="whitespace-nowrap py-2 pr-4 text-xs tabular-nums">
                    {t.latencyP50Ms === null ? "—" : `${Math.round(t.latencyP50Ms)} ms`} /{" "}
                    {t.latencyP95Ms === null ? "—" : `${Math.round(t.latencyP95Ms)} ms`}
                  </td>
                  <td className="whitespace-nowrap py-2 text-xs tabular-nums">{formatMoney(t.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </CardContent>
    </Card>
  );
}
