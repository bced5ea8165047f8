"use client";

import { useQuery } from "@tanstack/react-query";
import { Gauge } from "lucide-react";
import { useParams } from "next/navigation";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney, formatRelative } from "@/components/format";
import { formatPrice, PROVIDER_LABELS } from "@/components/models/labels";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  Card,
  CardContent,
  DataTable,
  type DataTableColumn,
  EmptyState,
  PageHeader,
  Select,
} from "@/components/ui";

type Row = RouterOutputs["models"]["selection"][number];
type SortKey = "tokensPerSecondP50" | "ttftMsP50" | "costPer1kOutputTokens" | "name";

const SOURCE_LABELS: Record<Row["source"], string> = {
  gateway: "Gateway",
  playground: "Playground",
  both: "Gateway + playground",
  none: "Not measured",
};

const ms = (v: number | null) => (v === null ? "—" : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

export function SelectionView() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const [days, setDays] = useState(30);
  const [sort, setSort] = useState<SortKey>("tokensPerSecondP50");
  const rows = useQuery(trpc.models.selection.queryOptions({ sinceDays: days }));
  const sorted = [...(rows.data ?? [])].sort((a, b) => {
    if (sort === "name") return a.name.localeCompare(b.name) || b.version - a.version;
    const av = a[sort];
    const bv = b[sort];
    if (av === null) return 1;
    if (bv === null) return -1;
    return sort === "tokensPerSecondP50" ? bv - av : av - bv;
  });
  const measured = sorted
    .filter((r) => r.tokensPerSecondP50 !== null)
    .map((r) => ({ ...r, label: `${r.name} v${r.version}` }));

  const columns: DataTableColumn<Row>[] = [
    {
      key: "model",
      header: "Model version",
      cell: (r) => (
        <div>
          <a href={`/projects/${projectId}/models/${r.modelId}`} className="font-medium hover:underline">
            {r.name} v{r.version}
          </a>
          <div className="flex gap-1">
            {r.aliases.map((a) => (
              <Badge key={a} tone={a === "production" ? "success" : "accent"}>
                {a}
              </Badge>
            ))}
          </div>
        </div>
      ),
    },
    { key: "provider", header: "Provider", cell: (r) => PROVIDER_LABELS[r.provider] },
    { key: "task", header: "Task", cell: (r) => r.task },
    {
      key: "context",
      header: "Context",
      cell: (r) => (r.contextLength ? r.contextLength.toLocaleString("en-US") : "—"),
    },
    { key: "license", header: "License", cell: (r) => r.license ?? "—" },
    {
      key: "price",
      header: "Declared price",
      cell: (r) =>
        r.pricePerComputeSecond !== null
          ? `${formatPrice(r.pricePerComputeSecond)}/s`
          : `${formatPrice(r.priceInputPerMTok)} / ${formatPrice(r.priceOutputPerMTok)}`,
    },
    {
      key: "latency",
      header: "Latency p50 / p95",
      className: "text-right whitespace-nowrap",
      cell: (r) => `${ms(r.latencyMsP50)} / ${ms(r.latencyMsP95)}`,
    },
    { key: "ttft", header: "TTFT p50", className: "text-right", cell: (r) => ms(r.ttftMsP50) },
    { key: "tpot", header: "Per token p50", className: "text-right", cell: (r) => ms(r.tpotMsP50) },
    {
      key: "tps",
      header: "Tokens/s p50",
      className: "text-right",
      cell: (r) => (r.tokensPerSecondP50 === null ? "—" : r.tokensPerSecondP50.toFixed(1)),
    },
    {
      key: "cost",
      header: "Cost / 1k out",
      className: "text-right",
      cell: (r) => (r.costPer1kOutputTokens === null ? "—" : formatMoney(r.costPer1kOutputTokens)),
    },
    {
      key: "traffic",
      header: "Measured from",
      cell: (r) => (
        <span
          className="flex flex-col gap-0.5"
          title={r.lastRunAt ? `last ${formatRelative(r.lastRunAt)}` : undefined}
          data-testid="measured-from"
        >
          <span>
            <Badge tone={r.source === "none" ? "neutral" : "info"}>{SOURCE_LABELS[r.source]}</Badge>
          </span>
          <span className="whitespace-nowrap text-muted-foreground text-xs">
            {r.requests.toLocaleString("en-US")} gateway · {r.runs.toLocaleString("en-US")} playground
            {r.capped ? " (newest)" : ""}
          </span>
        </span>
      ),
    },
    {
      key: "errors",
      header: "Errors",
      className: "text-right",
      cell: (r) =>
        r.errorRate === null ? (
          "—"
        ) : (
          <span className={r.errors > 0 ? "text-danger" : undefined}>
            {(r.errorRate * 100).toFixed(r.errorRate > 0 && r.errorRate < 0.01 ? 2 : 1)}%
          </span>
        ),
    },
    { key: "device", header: "Device", cell: (r) => (r.device ? <Badge tone="info">{r.device}</Badge> : "—") },
  ];

  return (
    <>
      <PageHeader
        title="Compare models"
        description="Declared cost, task, license and context next to what gateway traffic and playground runs measured."
        breadcrumbs={[{ label: "Models", href: `/projects/${projectId}/models` }, { label: "Compare" }]}
        actions={
          <div className="flex gap-2">
            <Select
              aria-label="Period"
              value={String(days)}
              onChange={(e) => setDays(Number(e.target.value))}
              className="w-36"
            >
              <option value="1">Last day</option>
              <option value="7">Last 7 days</option>
              <option value="30">Last 30 days</option>
              <option value="365">Last year</option>
            </Select>
            <Select
              aria-label="Sort by"
              value={sort}
              onChange={(e) => setSort(e.target.value as SortKey)}
              className="w-48"
            >
              <option value="tokensPerSecondP50">Fastest throughput</option>
              <option value="ttftMsP50">Lowest TTFT</option>
              <option value="costPer1kOutputTokens">Cheapest per token</option>
              <option value="name">Name</option>
            </Select>
          </div>
        }
      />
      {measured.length > 0 && (
        <Card>
          <CardContent className="pt-4">
            <h2 className="mb-2 font-medium text-sm">Median tokens per second</h2>
            <div className="h-56" data-testid="throughput-chart">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={measured} margin={{ left: 8, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
                  <YAxis tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
                  <Tooltip
                    contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 6 }}
                    formatter={(v) => [Number(v).toFixed(1), "tokens/s"]}
                  />
                  <Bar
                    dataKey="tokensPerSecondP50"
                    fill="var(--primary)"
                    radius={[4, 4, 0, 0]}
                    isAnimationActive={false}
                    maxBarSize={64}
                  />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </CardContent>
        </Card>
      )}
      <DataTable
        caption="Model comparison"
        columns={columns}
        rows={sorted}
        rowKey={(r) => `${r.modelId}:${r.version}`}
        loading={rows.isLoading}
        error={rows.error}
        onRetry={() => void rows.refetch()}
        empty={
          <EmptyState
            icon={Gauge}
            title="Nothing measured yet"
            description="Run models in the playground (or through the gateway): their measured latency appears here."
          />
        }
      />
    </>
  );
}
