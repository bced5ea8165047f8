"use client";

import { useQuery } from "@tanstack/react-query";
import { Gauge } from "lucide-react";
import { useMemo, useState } from "react";
import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/components/format";
import { RequestExplorer } from "@/components/monitoring/request-explorer";
import { useTRPC } from "@/components/providers/trpc";
import {
  Card,
  CardContent,
  EmptyState,
  ErrorState,
  LoadingState,
  PageHeader,
  Select,
  Stat,
  Tabs,
} from "@/components/ui";

const RANGES = { "1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 } as const;
const BY = [
  ["model", "Model version"],
  ["prompt", "Prompt version"],
  ["variant", "Experiment variant"],
  ["key", "API key"],
] as const;

const ms = (v: number | null | undefined) => (v == null ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
const pct = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
const time = (t: Date | string, span: number) =>
  new Date(t).toLocaleString(
    "en-GB",
    span > 2 * 86400 ? { month: "short", day: "numeric" } : { hour: "2-digit", minute: "2-digit" },
  );

function Chart({
  data,
  lines,
  unit,
}: {
  data: Record<string, unknown>[];
  lines: { key: string; color: string }[];
  unit?: string;
}) {
  return (
    <div className="h-48">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ left: 4, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} minTickGap={24} />
          <YAxis tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} unit={unit} width={56} />
          <Tooltip
            contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 6 }}
          />
          {lines.map((l) => (
            <Line key={l.key} dataKey={l.key} stroke={l.color} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Gateway traffic from the per-minute rollups: rates, latency percentiles, errors, cost, cache; breakdowns; the request explorer. */
export function MonitoringDashboard() {
  const trpc = useTRPC();
  const [range, setRange] = useState<keyof typeof RANGES>("24h");
  const [by, setBy] = useState<(typeof BY)[number][0]>("model");
  const [tab, setTab] = useState("overview");
  // Pinned per range choice so the query key is stable between renders.
  const window = useMemo(() => {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return { from: new Date(to.getTime() - RANGES[range] * 1000), to };
  }, [range]);
  const overview = useQuery({ ...trpc.monitoring.overview.queryOptions(window), refetchInterval: 30_000 });
  const breakdown = useQuery(trpc.monitoring.breakdown.queryOptions({ ...window, by }));
  const span = RANGES[range];
  const points = (overview.data?.points ?? []).map((p) => ({
    label: time(p.t, span),
    rps: Number(p.requestsPerSecond.toFixed(3)),
    p50: p.latencyMs.p50,
    p95: p.latencyMs.p95,
    p99: p.latencyMs.p99,
    ttft: p.ttftMs.p50,
    errors: p.errorRate === null ? null : Number((p.errorRate * 100).toFixed(2)),
    tokens: Number(p.tokensOutPerSecond.toFixed(2)),
  }));
  const t = overview.data?.totals;

  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Every gateway request, from per-minute rollups: traffic, latency, time to first token, errors, cost and cache."
        actions={
          <Select
            aria-label="Time range"
            value={range}
            onChange={(e) => setRange(e.target.value as keyof typeof RANGES)}
            className="w-36"
          >
            {Object.keys(RANGES).map((r) => (
              <option key={r} value={r}>
                Last {r}
              </option>
            ))}
          </Select>
        }
      />
      <Tabs
        aria-label="Monitoring sections"
        value={tab}
        onValueChange={setTab}
        tabs={[
          { value: "overview", label: "Overview" },
          { value: "requests", label: "Requests" },
        ]}
      />
      {tab === "requests" ? (
        <RequestExplorer from={window.from} to={window.to} />
      ) : overview.isLoading ? (
        <LoadingState label="Loading metrics…" />
      ) : overview.error ? (
        <ErrorState message={overview.error.message} onRetry={() => void overview.refetch()} />
      ) : !t || t.requests === 0 ? (
        <EmptyState
          icon={Gauge}
          title="No traffic in this range"
          description="Requests through /v1 are logged and charted here."
        />
      ) : (
        <>
          <div className="grid grid-cols-4 gap-3" data-testid="monitoring-totals">
            <Stat
              label="Requests"
              value={t.requests.toLocaleString("en-US")}
              hint={`${(t.requests / span).toFixed(3)} req/s`}
            />
            <Stat
              label="Latency p50 / p95 / p99"
              value={`${ms(t.latencyMs.p50)}`}
              hint={`p95 ${ms(t.latencyMs.p95)} · p99 ${ms(t.latencyMs.p99)}`}
            />
            <Stat label="TTFT p50" value={ms(t.ttftMs.p50)} hint={`p95 ${ms(t.ttftMs.p95)}`} />
            <Stat
              label="Error rate"
              value={pct(t.errorRate)}
              hint={`${t.clientErrors} client · ${t.serverErrors} server`}
            />
            <Stat
              label="Tokens in / out"
              value={`${t.tokensIn.toLocaleString("en-US")} / ${t.tokensOut.toLocaleString("en-US")}`}
            />
            <Stat label="Output tokens/s" value={(t.tokensOut / span).toFixed(2)} />
            <Stat label="Cost" value={formatMoney(t.costUsd)} />
            <Stat label="Cache hit ratio" value={pct(t.cacheHitRatio)} />
          </div>
          <div className="grid grid-cols-2 gap-4">
            <Card>
              <CardContent className="pt-4">
                <h2 className="mb-2 font-medium text-sm">Requests per second</h2>
                <div className="h-48">
                  <ResponsiveContainer width="100%" height="100%">
                    <AreaChart data={points} margin={{ left: 4, right: 8 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                      <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} minTickGap={24} />
                      <YAxis tick={{ fontSize: 11, fill: "var(--muted-foreground)" }} width={56} />
                      <Tooltip
                        contentStyle={{
                          background: "var(--popover)",
                          border: "1px solid var(--border)",
                          borderRadius: 6,
                        }}
                      />
                      <Area
                        dataKey="rps"
                        stroke="var(--primary)"
                        fill="var(--primary)"
                        fillOpacity={0.15}
                        isAnimationActive={false}
                      />
                    </AreaChart>
                  </ResponsiveContainer>
                </div>
              </CardContent>
            </Card>
            <Card>
              <CardContent className="pt-4">
                <h2 className="mb-2 font-medium text-sm">Latency percentiles (ms)</h2>
                <Chart
                  data={points}
                  lines={[
                    { key: "p50", color: "var(--primary)" },
                    { key: "p95", color: "#f59e0b" },
                    { key: "p99", color: "#dc2626" },
                  ]}
                />
              </CardContent>
            </Card>
            <Card>
              <CardContent className="pt-4">
                <h2 className="mb-2 font-medium text-sm">Time to first token p50 (ms)</h2>
                <Chart data={points} lines={[{ key: "ttft", color: "#0891b2" }]} />
              </CardContent>
            </Card>
            <Card>
              <CardContent className="pt-4">
                <h2 className="mb-2 font-medium text-sm">Error rate (%)</h2>
                <Chart data={points} lines={[{ key: "errors", color: "#dc2626" }]} />
              </CardContent>
            </Card>
          </div>
          <Card>
            <CardContent className="flex flex-col gap-3 pt-4">
              <div className="flex items-center justify-between">
                <h2 className="font-medium text-sm">Breakdown</h2>
                <Select
                  aria-label="Break down by"
                  value={by}
                  onChange={(e) => setBy(e.target.value as typeof by)}
                  className="w-48"
                >
                  {BY.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </Select>
              </div>
              <table className="w-full text-sm">
                <thead className="text-left text-muted-foreground text-xs">
                  <tr>
                    <th className="py-1.5 font-medium">Group</th>
                    <th className="font-medium">Requests</th>
                    <th className="font-medium">Share</th>
                    <th className="font-medium">p50 / p95</th>
                    <th className="font-medium">TTFT p50</th>
                    <th className="font-medium">Errors</th>
                    <th className="font-medium">Tokens out</th>
                    <th className="font-medium">Cost</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-border">
                  {(breakdown.data?.rows ?? []).map((r) => (
                    <tr key={r.key ?? "none"}>
                      <td className="py-2 font-medium">{r.label ?? r.key ?? "—"}</td>
                      <td>{r.requests.toLocaleString("en-US")}</td>
                      <td>{pct(r.share)}</td>
                      <td>
                        {ms(r.latencyMs.p50)} / {ms(r.latencyMs.p95)}
                      </td>
                      <td>{ms(r.ttftMs.p50)}</td>
                      <td>{pct(r.errorRate)}</td>
                      <td>{r.tokensOut.toLocaleString("en-US")}</td>
                      <td>{formatMoney(r.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </CardContent>
          </Card>
        </>
      )}
    </>
  );
}
