"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { variantColor } from "@/components/experiments/status-badge";
import type { RouterOutputs } from "@/components/providers/trpc";

type Results = RouterOutputs["experiments"]["results"];

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
