"use client";

import { formatMoney } from "@/components/format";
import type { RouterOutputs } from "@/components/providers/trpc";
import { Card, CardContent, Checkbox } from "@/components/ui";
import { StatCard } from "./stat-cards";
import { type Series, TimeChart } from "./time-chart";
import { activeSeconds, formatMs, formatNumber, formatPercent, formatRate, rateUnit, spanName } from "./units";

type Overview = RouterOutputs["monitoring"]["overview"];

const COLORS = {
  p50: "var(--primary)",
  p95: "#f59e0b",
  p99: "#dc2626",
  ttft: "#0891b2",
  errors: "#dc2626",
  tokens: "#16a34a",
};
const PREVIOUS = "#a1a1aa";

export interface OverviewPanelProps {
  current: Overview;
  previous: Overview | undefined;
  spanSeconds: number;
  compare: boolean;
  onCompareChange: (value: boolean) => void;
}

/** Totals with their change against the previous period, and the charts (optionally over the previous period). */
export function OverviewPanel({ current, previous, spanSeconds, compare, onCompareChange }: OverviewPanelProps) {
  const t = current.totals;
  const p = previous?.totals;
  const step = current.step;
  const requestUnit = rateUnit(Math.max(...current.points.map((x) => x.requestsPerSecond)), "req");
  const tokenUnit = rateUnit(Math.max(...current.points.map((x) => x.tokensOutPerSecond)), "tokens");
  const active = activeSeconds(current.points, step);
  const previousActive = previous ? activeSeconds(previous.points, step) : 0;
  const perSecond = (count: number, seconds: number) => (seconds > 0 ? count / seconds : 0);
  const previousName = `previous ${spanName(spanSeconds)}`;
  const overlay = compare && previous;

  const rows = current.points.map((x, i) => {
    const before = overlay ? previous.points[i] : undefined;
    return {
      t: new Date(x.t).getTime(),
      rate: x.requestsPerSecond * requestUnit.factor,
      prevRate: before ? before.requestsPerSecond * requestUnit.factor : null,
      p50: x.latencyMs.p50,
      p95: x.latencyMs.p95,
      p99: x.latencyMs.p99,
      prevP95: before?.latencyMs.p95 ?? null,
      ttft50: x.ttftMs.p50,
      ttft95: x.ttftMs.p95,
      prevTtft50: before?.ttftMs.p50 ?? null,
      errors: x.errorRate === null ? null : x.errorRate * 100,
      prevErrors: before?.errorRate == null ? null : before.errorRate * 100,
      tokens: x.tokensOutPerSecond * tokenUnit.factor,
      prevTokens: before ? before.tokensOutPerSecond * tokenUnit.factor : null,
    };
  });
  const withPrevious = (series: Series[], key: string, name: string): Series[] =>
    overlay ? [...series, { key, name, color: PREVIOUS, previous: true }] : series;
  const chart = { data: rows, stepSeconds: step, spanSeconds };
  const activeName = active > 0 ? `while active (${spanName(active)})` : "";

  return (
    <>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="monitoring-totals">
        <StatCard
          label="Requests"
          value={t.requests.toLocaleString("en-US")}
          detail={`${formatRate(perSecond(t.requests, active), requestUnit)} ${activeName}`}
          current={t.requests}
          previous={p?.requests}
          previousName={previousName}
        />
        <StatCard
          label="Latency p95"
          value={formatMs(t.latencyMs.p95)}
          detail={`p50 ${formatMs(t.latencyMs.p50)} · p99 ${formatMs(t.latencyMs.p99)}`}
          current={t.latencyMs.p95}
          previous={p?.latencyMs.p95}
          worse="up"
          previousName={previousName}
        />
        <StatCard
          label="Time to first token p50"
          value={formatMs(t.ttftMs.p50)}
          detail={`p95 ${formatMs(t.ttftMs.p95)} · ${t.ttftMs.count.toLocaleString("en-US")} streamed`}
          current={t.ttftMs.p50}
          previous={p?.ttftMs.p50}
          worse="up"
          previousName={previousName}
        />
        <StatCard
          label="Error rate"
          value={formatPercent(t.errorRate)}
          detail={`${t.clientErrors.toLocaleString("en-US")} client · ${t.serverErrors.toLocaleString("en-US")} server`}
          current={t.errorRate}
          previous={p?.errorRate}
          worse="up"
          previousName={previousName}
        />
        <StatCard
          label="Output tokens"
          value={formatRate(perSecond(t.tokensOut, active), tokenUnit)}
          detail={`${formatNumber(t.tokensIn)} in · ${formatNumber(t.tokensOut)} out ${activeName}`}
          current={perSecond(t.tokensOut, active)}
          previous={p ? perSecond(p.tokensOut, previousActive) : undefined}
          previousName={previousName}
        />
        <StatCard
          label="Cost"
          value={formatMoney(t.costUsd)}
          detail={t.requests > 0 ? `${formatMoney(t.costUsd / t.requests)} per request` : undefined}
          current={t.costUsd}
          previous={p?.costUsd}
          worse="up"
          previousName={previousName}
        />
        <StatCard
          label="Cache hit ratio"
          value={formatPercent(t.cacheHitRatio)}
          detail={`${t.cacheHits.toLocaleString("en-US")} hits`}
          current={t.cacheHitRatio}
          previous={p?.cacheHitRatio}
          worse="down"
          previousName={previousName}
        />
        <StatCard
          label="Latency avg / max"
          value={formatMs(t.latencyMs.avg)}
          detail={`max ${formatMs(t.latencyMs.max)}`}
          current={t.latencyMs.avg}
          previous={p?.latencyMs.avg}
          worse="up"
          previousName={previousName}
        />
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-muted-foreground text-xs">
          One point per {spanName(step)}; rates are per {requestUnit.factor === 60 ? "minute" : "second"} within each
          point.
        </p>
        <Checkbox
          label={`Overlay the ${previousName}`}
          checked={compare}
          onChange={(e) => onCompareChange(e.target.checked)}
        />
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ChartCard title={`Requests (${requestUnit.label})`}>
          <TimeChart
            {...chart}
            kind="area"
            label="Requests over time"
            unit={requestUnit.label}
            format={formatNumber}
            series={withPrevious(
              [{ key: "rate", name: "Requests", color: "var(--primary)" }],
              "prevRate",
              "Previous period",
            )}
          />
        </ChartCard>
        <ChartCard title="Latency percentiles (ms)">
          <TimeChart
            {...chart}
            label="Latency percentiles over time"
            unit="ms"
            format={(v) => Math.round(v).toLocaleString("en-US")}
            series={withPrevious(
              [
                { key: "p50", name: "p50", color: COLORS.p50 },
                { key: "p95", name: "p95", color: COLORS.p95 },
                { key: "p99", name: "p99", color: COLORS.p99 },
              ],
              "prevP95",
              "p95, previous period",
            )}
          />
        </ChartCard>
        <ChartCard title="Time to first token (ms)">
          <TimeChart
            {...chart}
            label="Time to first token over time"
            unit="ms"
            format={(v) => Math.round(v).toLocaleString("en-US")}
            series={withPrevious(
              [
                { key: "ttft50", name: "p50", color: COLORS.ttft },
                { key: "ttft95", name: "p95", color: COLORS.p95 },
              ],
              "prevTtft50",
              "p50, previous period",
            )}
          />
        </ChartCard>
        <ChartCard title="Error rate (%)">
          <TimeChart
            {...chart}
            label="Error rate over time"
            unit="%"
            format={(v) => v.toLocaleString("en-US", { maximumFractionDigits: 2 })}
            series={withPrevious(
              [{ key: "errors", name: "Errors", color: COLORS.errors }],
              "prevErrors",
              "Previous period",
            )}
          />
        </ChartCard>
        <ChartCard title={`Output tokens (${tokenUnit.label})`}>
          <TimeChart
            {...chart}
            label="Output tokens over time"
            unit={tokenUnit.label}
            format={formatNumber}
            series={withPrevious(
              [{ key: "tokens", name: "Output tokens", color: COLORS.tokens }],
              "prevTokens",
              "Previous period",
            )}
          />
        </ChartCard>
      </div>
    </>
  );
}

export function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardContent className="pt-4">
        <h2 className="mb-2 font-medium text-sm">{title}</h2>
        {children}
      </CardContent>
    </Card>
  );
}
