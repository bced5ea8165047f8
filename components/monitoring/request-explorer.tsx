"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { ListX } from "lucide-react";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { actionTone, RequestDetail, type RequestItem } from "@/components/monitoring/request-detail";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Button, DataTable, type DataTableColumn, Dialog, EmptyState, Select } from "@/components/ui";

type Item = RequestItem;

/** The raw request log, newest first, with keyset paging and a detail view. */
export function RequestExplorer({ from, to }: { from: Date; to: Date }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const [status, setStatus] = useState("");
  const [open, setOpen] = useState<Item | null>(null);
  const pages = useInfiniteQuery(
    trpc.monitoring.requests.infiniteQueryOptions(
      { from, to, status: (status || undefined) as "ok" | "error" | undefined, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = pages.data?.pages.flatMap((p) => p.items);
  const columns: DataTableColumn<Item>[] = [
    { key: "time", header: "Time", className: "w-44", cell: (r) => formatDateTime(r.startedAt) },
    {
      key: "status",
      header: "Status",
      cell: (r) => <Badge tone={r.status < 400 ? "success" : r.status < 500 ? "warning" : "danger"}>{r.status}</Badge>,
    },
    {
      key: "model",
      header: "Model",
      cell: (r) => <code className="font-mono text-xs">{r.requestedModel ?? "—"}</code>,
    },
    { key: "latency", header: "Latency", cell: (r) => `${Math.round(r.latencyMs)} ms` },
    { key: "ttft", header: "TTFT", cell: (r) => (r.ttftMs == null ? "—" : `${Math.round(r.ttftMs)} ms`) },
    { key: "tokens", header: "Tokens in/out", cell: (r) => `${r.tokensIn} / ${r.tokensOut}` },
    { key: "stream", header: "Stream", cell: (r) => (r.stream ? "yes" : "no") },
    {
      key: "tools",
      header: "Tools",
      cell: (r) =>
        r.toolNames?.length ? (
          <span className="flex gap-1">
            {r.toolNames.slice(0, 2).map((name) => (
              <Badge key={name} tone="accent">
                {name}
              </Badge>
            ))}
            {r.toolNames.length > 2 && <Badge>+{r.toolNames.length - 2}</Badge>}
          </span>
        ) : (
          <span className="text-muted-foreground">—</span>
        ),
    },
    {
      key: "guardrails",
      header: "Guardrails",
      cell: (r) =>
        r.guardrails.length === 0 ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <span className="flex gap-1">
            {[...new Set(r.guardrails.map((a) => a.action))].map((action) => (
              <Badge key={action} tone={actionTone(action)}>
                {action}
              </Badge>
            ))}
          </span>
        ),
    },
    {
      key: "open",
      header: <span className="sr-only">Details</span>,
      className: "w-24 text-right",
      cell: (r) => (
        <Button size="sm" variant="ghost" onClick={() => setOpen(r)}>
          Details
        </Button>
      ),
    },
  ];
  return (
    <>
      <DataTable
        caption="Requests"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        loading={pages.isLoading}
        error={pages.error}
        onRetry={() => void pages.refetch()}
        toolbar={
          <Select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)} className="w-40">
            <option value="">All statuses</option>
            <option value="ok">Succeeded</option>
            <option value="error">Failed</option>
            <option value="client_error">4xx</option>
            <option value="server_error">5xx</option>
          </Select>
        }
        empty={<EmptyState icon={ListX} title="No requests in this range" />}
      />
      {pages.hasNextPage && (
        <Button
          variant="secondary"
          className="self-center"
          loading={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          Load older requests
        </Button>
      )}
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)} title="Request" className="max-w-2xl">
        {open && <RequestDetail item={open} projectId={projectId} />}
      </Dialog>
    </>
  );
}
