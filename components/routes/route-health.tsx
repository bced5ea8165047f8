"use client";

import { useQuery } from "@tanstack/react-query";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Badge, DataTable, type DataTableColumn } from "@/components/ui";

type Row = RouterOutputs["routes"]["health"][number];

/** This process's live view of the route's deployments, refreshed every 2 s. */
export function RouteHealth({ routeId }: { routeId: string }) {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.routes.health.queryOptions({ id: routeId }), refetchInterval: 2_000 });
  const columns: DataTableColumn<Row>[] = [
    {
      key: "model",
      header: "Deployment",
      cell: (d) => (
        <span>
          <span className="font-mono">{d.model}</span> <span className="text-muted-foreground text-xs">{d.role}</span>
        </span>
      ),
    },
    {
      key: "state",
      header: "State",
      cell: (d) =>
        d.coolingDown ? (
          <Badge tone="danger">cooling down until {new Date(d.cooldownUntil!).toLocaleTimeString()}</Badge>
        ) : d.consecutiveFailures > 0 ? (
          <Badge tone="warning">{d.consecutiveFailures} failing</Badge>
        ) : d.samples > 0 ? (
          <Badge tone="success">healthy</Badge>
        ) : (
          <Badge>no traffic yet</Badge>
        ),
    },
    { key: "outstanding", header: "In flight", cell: (d) => d.outstanding },
    {
      key: "latency",
      header: "TTFT (EWMA)",
      cell: (d) => (d.ewmaTtftMs === null ? "—" : `${Math.round(d.ewmaTtftMs)} ms`),
    },
    { key: "ok", header: "Succeeded", cell: (d) => d.totalSuccesses },
    { key: "failed", header: "Failed", cell: (d) => d.totalFailures },
    {
      key: "error",
      header: "Last error",
      cell: (d) =>
        d.lastError ? (
          <span className="line-clamp-2 text-xs" title={d.lastError}>
            {formatRelative(d.lastErrorAt)}: {d.lastError}
          </span>
        ) : (
          "—"
        ),
    },
  ];
  return (
    <div className="flex flex-col gap-2">
      <p className="text-muted-foreground text-xs">
        As seen by this server process (each gateway replica keeps its own view of the traffic it routes).
      </p>
      <DataTable
        caption="Deployment health"
        columns={columns}
        rows={health.data}
        rowKey={(d) => `${d.role}:${d.model}`}
        loading={health.isLoading}
        error={health.error}
        onRetry={() => void health.refetch()}
      />
    </div>
  );
}
