"use client";

import { TriangleAlert } from "lucide-react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { variantColor } from "@/components/experiments/status-badge";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Badge } from "@/components/ui";

type Results = RouterOutputs["experiments"]["results"];
type Metric = Results["metrics"][number];

const pct = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? "—" : `${(v * 100).toFixed(digits)}%`;
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? "—" : v.toFixed(digits));
const p = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : v < 0.0001 ? "< 0.0001" : v.toFixed(4);

/** One metric: each variant's estimate with its 95 % CI, and the difference against control with its CI and p-value. */
export function ResultsTable({
  metric,
  variants,
  sequential,
}: {
  metric: Metric;
  variants: Results["variants"];
  sequential: boolean;
}) {
  const a = metric.analysis;
  const rate = metric.kind === "rate";
  const fmt = rate ? pct : num;
  return (
    <section aria-label={`Results for ${metric.name}`} className="flex flex-col gap-2">
      <div className="flex items-center gap-2">
        <h2 className="font-medium text-sm">{metric.name}</h2>
        <Badge>{rate ? "rate" : "mean"}</Badge>
        <span className="text-muted-foreground text-xs">
          {rate ? "two-proportion z-test, Wilson intervals" : "Welch's t-test, t intervals"} · α = {a.alpha} ·
          Holm-adjusted
        </span>
      </div>
      {a.srm?.flagged && (
        <p role="alert" className="flex items-center gap-2 rounded-md bg-danger-soft p-2 text-danger text-sm">
          <TriangleAlert className="size-4" aria-hidden /> Sample-ratio mismatch (χ² p = {p(a.srm.pValue)}): the split
          is not what was configured — do not trust these comparisons until the cause is found.
        </p>
      )}
      {a.srm && !a.srm.flagged && a.srm.pValue !== null && (
        <p className="text-muted-foreground text-xs">
          Sample ratio OK: χ² p = {p(a.srm.pValue)} against the configured weights.
        </p>
      )}
      <table className="w-full text-sm">
        <thead className="text-left text-muted-foreground text-xs">
          <tr>
            <th className="py-1.5 font-medium">Variant</th>
            <th className="font-medium">Units</th>
            <th className="font-medium">{rate ? "Rate" : "Mean"} (95% CI)</th>
            <th className="font-medium">Δ vs control (95% CI)</th>
            <th className="font-medium">Lift</th>
            <th className="font-medium">p-value</th>
            {sequential && <th className="font-medium">Always-valid p</th>}
            <th className="font-medium">Result</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {a.variants.map((v) => {
            const cmp = a.comparisons.find((c) => c.key === v.key);
            const c = cmp?.comparison;
            const info = variants.find((x) => x.key === v.key);
            const significant = sequential ? cmp?.sequential?.significant : c?.significant;
            const better = c?.difference != null && (metric.higherIsBetter ? c.difference > 0 : c.difference < 0);
            return (
              <tr key={v.key} data-testid={`result-${metric.name}-${v.key}`}>
                <td className="py-2 font-medium">
                  {v.key}
                  {info?.isControl && <span className="text-muted-foreground"> (control)</span>}
                </td>
                <td>{v.summary.n.toLocaleString("en-US")}</td>
                <td>
                  {fmt(v.summary.estimate)}{" "}
                  <span className="text-muted-foreground text-xs">
                    [{fmt(v.summary.ci?.lower)}, {fmt(v.summary.ci?.upper)}]
                  </span>
                </td>
                <td>
                  {c ? (
                    <>
                      {fmt(c.difference)}{" "}
                      <span className="text-muted-foreground text-xs">
                        [{fmt(c.ci?.lower)}, {fmt(c.ci?.upper)}]
                      </span>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{c ? pct(c.relativeLift, 1) : "—"}</td>
                <td>{c ? p(c.adjustedPValue) : "—"}</td>
                {sequential && <td>{cmp?.sequential ? p(cmp.sequential.adjustedPValue) : "—"}</td>}
                <td>
                  {!c ? null : c.status !== "ok" ? (
                    <Badge title={c.reason ?? undefined}>insufficient data</Badge>
                  ) : significant ? (
                    <Badge tone={better ? "success" : "danger"}>{better ? "better" : "worse"}</Badge>
                  ) : (
                    <Badge>not significant</Badge>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Cumulative hourly value per variant. */
export function MetricChart({ series, variants }: { series: Results["series"]; variants: string[] }) {
  const days = [...new Set(series.map((s) => s.day))].sort();
  if (days.length === 0) return <p className="text-muted-foreground text-xs">No outcomes yet.</p>;
  const data = days.map((day) => ({
    day,
    ...Object.fromEntries(
      variants.map((v) => [v, series.filter((s) => s.variant === v && s.day <= day).at(-1)?.value ?? null]),
    ),
  }));
  return (
    <div className="h-48">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ left: 8, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
          <YAxis tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
          <Tooltip
            contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 6 }}
          />
          <Legend />
          {variants.map((v, i) => (
            <Line key={v} dataKey={v} stroke={variantColor(i)} dot isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
