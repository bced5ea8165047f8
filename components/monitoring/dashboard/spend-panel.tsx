"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatMoney } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Card, CardContent, ErrorState, Select } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import { Skeleton } from "@/components/ui/skeleton";
import { ChartCard } from "./overview-panel";
import { StatCard } from "./stat-cards";
import { TimeChart } from "./time-chart";
import { formatNumber, formatPercent, spanName } from "./units";
import type { DashboardWindow } from "./use-dashboard-range";

type Spend = RouterOutputs["monitoring"]["spend"];
type Dimension = Spend["by"];

const DIMENSIONS: { by: Dimension; title: string; none: string }[] = [
  { by: "model", title: "Model version", none: "No model" },
  { by: "key", title: "API key", none: "No key (console)" },
  { by: "user", title: "User", none: "No user given" },
];
const PALETTE = ["var(--primary)", "#0891b2", "#f59e0b", "#16a34a", "#db2777"];
const OTHER = "#a1a1aa";

const nameOf = (row: { key: string | null; label: string | null }, none: string) =>
  row.label ?? (row.key ? `${row.key.slice(0, 8)}… (deleted)` : none);

/** Cost over the range: the project's total, and by model version, API key and end user, each a top-10 table. */
export function SpendPanel({
  current,
  previous,
  spanSeconds,
}: {
  current: DashboardWindow;
  previous: DashboardWindow;
  spanSeconds: number;
}) {
  const trpc = useTRPC();
  const [chartBy, setChartBy] = useState<Dimension>("model");
  const spend = {
    model: useQuery(trpc.monitoring.spend.queryOptions({ ...current, by: "model" })),
    key: useQuery(trpc.monitoring.spend.queryOptions({ ...current, by: "key" })),
    user: useQuery(trpc.monitoring.spend.queryOptions({ ...current, by: "user" })),
  };
  const before = useQuery(trpc.monitoring.spend.queryOptions({ ...previous, by: "model", limit: 1, series: 0 }));
  const total = spend.model.data?.totals;
  const chart = spend[chartBy].data;
  const dimension = DIMENSIONS.find((d) => d.by === chartBy) ?? DIMENSIONS[0];

  return (
    <section aria-labelledby="spend-heading" className="flex flex-col gap-4">
      <h2 id="spend-heading" className="font-semibold text-base">
        Spend
      </h2>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard
          label="Project spend"
          value={total ? formatMoney(total.costUsd) : "…"}
          detail={total ? `${total.requests.toLocaleString("en-US")} requests` : undefined}
          current={total?.costUsd}
          previous={before.data?.totals.costUsd}
          worse="up"
          previousName={`previous ${spanName(spanSeconds)}`}
        />
        <StatCard
          label="Per 1,000 requests"
          value={total && total.requests > 0 ? formatMoney((total.costUsd / total.requests) * 1000) : "—"}
          detail={total ? `${formatNumber(total.tokensIn + total.tokensOut)} tokens` : undefined}
          previousName=""
        />
      </div>
      <ChartCard title="Cost per step, by the top groups">
        <div className="mb-2 flex flex-wrap items-center gap-2">
          <Select
            aria-label="Chart spend by"
            value={chartBy}
            onChange={(e) => setChartBy(e.target.value as Dimension)}
            className="w-44"
          >
            {DIMENSIONS.map((d) => (
              <option key={d.by} value={d.by}>
                By {d.title.toLowerCase()}
              </option>
            ))}
          </Select>
        </div>
        {chart ? (
          <TimeChart
            kind="stacked-bar"
            label={`Cost by ${dimension.title.toLowerCase()} over time`}
            unit="USD"
            format={(v) => formatMoney(v)}
            stepSeconds={chart.step}
            spanSeconds={spanSeconds}
            data={chart.points.map((p) => ({
              t: new Date(p.t).getTime(),
              ...Object.fromEntries(p.costs.map((cost, i) => [`s${i}`, cost])),
              other: p.other,
            }))}
            series={[
              ...chart.seriesKeys.map((key, i) => ({
                key: `s${i}`,
                name: nameOf(chart.rows[i] ?? { key, label: null }, dimension.none),
                color: PALETTE[i % PALETTE.length],
              })),
              ...(chart.groups > chart.seriesKeys.length ? [{ key: "other", name: "Other", color: OTHER }] : []),
            ]}
          />
        ) : (
          <Skeleton className="h-56 w-full" />
        )}
      </ChartCard>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        {DIMENSIONS.map((d) => (
          <SpendTable key={d.by} title={d.title} none={d.none} query={spend[d.by]} />
        ))}
      </div>
    </section>
  );
}

function SpendTable({
  title,
  none,
  query,
}: {
  title: string;
  none: string;
  query: { data?: Spend; error: { message: string } | null; refetch: () => unknown };
}) {
  const data = query.data;
  return (
    <Card>
      <CardContent className="flex flex-col gap-2 pt-4">
        <h3 className="font-medium text-sm">Spend by {title.toLowerCase()}</h3>
        {query.error ? (
          <ErrorState message={query.error.message} onRetry={() => void query.refetch()} />
        ) : !data ? (
          <Skeleton className="h-24 w-full" />
        ) : (
          <ScrollBox label="Spend (scrolls sideways)">
            <table className="w-full text-sm" aria-label={`Spend by ${title.toLowerCase()}`}>
              <thead className="text-left text-muted-foreground text-xs">
                <tr>
                  <th className="py-1.5 pr-3 font-medium">{title}</th>
                  <th className="pr-3 text-right font-medium">Cost</th>
                  <th className="pr-3 text-right font-medium">Share</th>
                  <th className="text-right font-medium">Requests</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={4} className="py-3 text-muted-foreground">
                      No requests in this range.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((row) => (
                    <tr key={row.key ?? "none"}>
                      <td className="max-w-48 truncate py-2 pr-3 font-medium" title={row.key ?? undefined}>
                        {nameOf(row, none)}
                      </td>
                      <td className="pr-3 text-right tabular-nums">{formatMoney(row.costUsd)}</td>
                      <td className="pr-3 text-right tabular-nums">{formatPercent(row.share)}</td>
                      <td className="text-right tabular-nums">{row.requests.toLocaleString("en-US")}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </ScrollBox>
        )}
        {data && data.groups > data.rows.length ? (
          <p className="text-muted-foreground text-xs">
            Top {data.rows.length} of {data.groups.toLocaleString("en-US")}.
          </p>
        ) : null}
        {data?.truncated ? (
          <p className="text-muted-foreground text-xs">
            Counted from the newest {data.totals.requests.toLocaleString("en-US")} requests of the range.
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}
