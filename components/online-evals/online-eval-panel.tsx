"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatMoney } from "@/components/format";
import { TimeChart } from "@/components/monitoring/dashboard/time-chart";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Card, CardContent, CardDescription, CardHeader, CardTitle, ErrorState, Stat } from "@/components/ui";

type RuleStats = RouterOutputs["onlineEvals"]["stats"]["rules"][number];
type Split = RuleStats["byModelVersion"];

const percent = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(1)} %`);
const score = (value: number | null) => (value === null ? "—" : value.toFixed(3));

/** The monitoring page's "Online evaluation" panel: per rule over the page's window, from online_eval_scores. */
export function OnlineEvalPanel({ window, spanSeconds }: { window: { from: Date; to: Date }; spanSeconds: number }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const stats = useQuery({
    ...trpc.onlineEvals.stats.queryOptions(window),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
    enabled: can("evals:read"),
  });
  const manage = `/projects/${projectId}/monitoring/online-evals`;
  return (
    <section aria-labelledby="online-eval-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="online-eval-heading" className="font-semibold text-base">
          Online evaluation
        </h2>
        <Link href={manage} className="text-sm underline-offset-4 hover:underline">
          Manage rules
        </Link>
      </div>
      {stats.error ? (
        <ErrorState message={stats.error.message} onRetry={() => void stats.refetch()} />
      ) : !stats.data ? null : stats.data.rules.length === 0 ? (
        <p className="text-muted-foreground text-sm">
          No rules yet. <Link href={manage}>Add a rule</Link> to score a sample of live answers with an evaluator.
        </p>
      ) : (
        stats.data.rules.map((rule) => (
          <RuleCard key={rule.ruleId} rule={rule} bucketSeconds={stats.data.bucketSeconds} spanSeconds={spanSeconds} />
        ))
      )}
    </section>
  );
}

/**
 * The scored buckets only: the shared chart draws no dot for a point between empty buckets, so padding the window
 * with nulls would hide a lone bucket (the first minutes of a new rule).
 */
function points(series: RuleStats["series"]) {
  return series.map((p) => ({
    t: new Date(p.at).getTime(),
    mean: p.meanScore === null ? null : p.meanScore * 100,
    pass: p.passRate === null ? null : p.passRate * 100,
  }));
}

function RuleCard({
  rule,
  bucketSeconds,
  spanSeconds,
}: {
  rule: RuleStats;
  bucketSeconds: number;
  spanSeconds: number;
}) {
  const data = points(rule.series);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          {rule.name}
          {rule.enabled ? null : <Badge tone="warning">disabled</Badge>}
        </CardTitle>
        <CardDescription>
          {rule.evaluatorName} · {Math.round(rule.sampleRate * 1000) / 10} % of matching requests
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          <Stat label="Mean score" value={score(rule.totals.meanScore)} />
          <Stat label="Pass rate" value={percent(rule.totals.passRate)} />
          <Stat label="Scored requests" value={rule.totals.n.toLocaleString("en-US")} />
          <Stat label="Judge cost" value={formatMoney(rule.totals.costUsd)} />
        </div>
        {rule.totals.n === 0 ? (
          <p className="text-muted-foreground text-sm">No answers scored in this range.</p>
        ) : (
          <>
            <TimeChart
              label={`${rule.name}: mean score and pass rate over time`}
              data={data}
              series={[
                { key: "mean", name: "Mean score × 100", color: "var(--primary)" },
                { key: "pass", name: "Pass rate", color: "#16a34a" },
              ]}
              unit="%"
              stepSeconds={bucketSeconds}
              spanSeconds={spanSeconds}
            />
            <div className="grid gap-4 lg:grid-cols-2">
              <SplitTable title="By model version" rows={rule.byModelVersion} />
              <SplitTable title="By prompt version" rows={rule.byPromptVersion} />
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}

function SplitTable({ title, rows }: { title: string; rows: Split }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="pb-1 text-left font-medium text-muted-foreground text-xs">{title}</caption>
        <thead>
          <tr className="border-border border-b text-left text-muted-foreground text-xs">
            <th className="py-1 pr-2 font-medium">Version</th>
            <th className="py-1 pr-2 text-right font-medium">Scored</th>
            <th className="py-1 pr-2 text-right font-medium">Mean</th>
            <th className="py-1 text-right font-medium">Pass rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id ?? "none"} className="border-border border-b last:border-0">
              <td className="py-1 pr-2 font-mono text-xs">{r.label}</td>
              <td className="py-1 pr-2 text-right tabular-nums">{r.n}</td>
              <td className="py-1 pr-2 text-right tabular-nums">{score(r.meanScore)}</td>
              <td className="py-1 text-right tabular-nums">{percent(r.passRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
