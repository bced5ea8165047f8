"use client";

import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { bucketLabel, tickLabel } from "./units";

export interface Series {
  /** Field of each row. */
  key: string;
  /** Shown in the legend and the tooltip. */
  name: string;
  color: string;
  /** The previous period's overlay: dashed and faint. */
  previous?: boolean;
}

export interface TimeChartProps {
  /** One row per step; `t` is the step's start in ms. */
  data: ({ t: number } & Record<string, number | null>)[];
  series: Series[];
  /** Printed after every value in the axis and the tooltip ("ms", "req/min", "%"). */
  unit: string;
  format?: (value: number) => string;
  stepSeconds: number;
  spanSeconds: number;
  kind?: "line" | "area" | "stacked-bar";
  /** Accessible name of the chart. */
  label: string;
}

const axisTick = { fontSize: 11, fill: "var(--muted-foreground)" };
const plain = (value: number) => value.toLocaleString("en-US", { maximumSignificantDigits: 3 });

/** A chart over time with a legend, a y axis in its unit and a tooltip naming each series, its unit and the bucket. */
export function TimeChart({
  data,
  series,
  unit,
  format = plain,
  stepSeconds,
  spanSeconds,
  kind = "line",
  label,
}: TimeChartProps) {
  const common = { data, margin: { left: 0, right: 8, top: 4 } };
  const children = [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="var(--border)" vertical={false} />,
    <XAxis
      key="x"
      dataKey="t"
      type="number"
      scale="time"
      domain={["dataMin", "dataMax"]}
      tick={axisTick}
      tickFormatter={(t: number) => tickLabel(t, spanSeconds)}
      minTickGap={28}
    />,
    <YAxis
      key="y"
      tick={axisTick}
      width={64}
      tickFormatter={(value: number) => `${format(value)}${unit === "%" ? "%" : ""}`}
      label={unit === "%" ? undefined : { value: unit, angle: -90, position: "insideLeft", style: axisTick, dy: 24 }}
    />,
    <Tooltip
      key="tooltip"
      contentStyle={{
        background: "var(--popover)",
        color: "var(--popover-foreground)",
        border: "1px solid var(--border)",
        borderRadius: 6,
        fontSize: 12,
      }}
      labelFormatter={(t) => bucketLabel(Number(t), stepSeconds)}
      formatter={(value, name) => [
        value == null ? "—" : `${format(Number(value))}${unit === "%" ? "%" : ` ${unit}`}`,
        name,
      ]}
    />,
    <Legend key="legend" iconType="plainline" wrapperStyle={{ fontSize: 12 }} />,
  ];

  let chart: React.ReactElement;
  if (kind === "stacked-bar") {
    chart = (
      <BarChart {...common}>
        {children}
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} stackId="all" fill={s.color} isAnimationActive={false} />
        ))}
      </BarChart>
    );
  } else if (kind === "area") {
    chart = (
      <AreaChart {...common}>
        {children}
        {series.map((s) => (
          <Area
            key={s.key}
            dataKey={s.key}
            name={s.name}
            stroke={s.color}
            fill={s.previous ? "transparent" : s.color}
            fillOpacity={0.15}
            strokeDasharray={s.previous ? "4 3" : undefined}
            strokeOpacity={s.previous ? 0.6 : 1}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    );
  } else {
    chart = (
      <LineChart {...common}>
        {children}
        {series.map((s) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.name}
            stroke={s.color}
            strokeDasharray={s.previous ? "4 3" : undefined}
            strokeOpacity={s.previous ? 0.6 : 1}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        ))}
      </LineChart>
    );
  }
  return (
    <figure className="h-56" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        {chart}
      </ResponsiveContainer>
    </figure>
  );
}
