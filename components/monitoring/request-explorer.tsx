"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ListX } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  Button,
  buttonStyles,
  DataTable,
  type DataTableColumn,
  Dialog,
  EmptyState,
  Select,
} from "@/components/ui";

type Item = RouterOutputs["monitoring"]["requests"]["items"][number];

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
      key: "guardrails",
      header: "Guardrails",
      cell: (r) =>
        r.guardrails.length === 0 ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <span className="flex gap-1">
            {[...new Set(r.guardrails.map((a) => a.action))].map((action) => (
              <Badge key={action} tone={ACTION_TONE[action as keyof typeof ACTION_TONE] ?? "neutral"}>
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
        {open && (
          <div className="flex flex-col gap-3 text-sm">
            <dl className="grid grid-cols-[10rem_1fr] gap-y-1.5">
              {(
                [
                  ["Request id", open.id],
                  ["Time", formatDateTime(open.startedAt)],
                  ["Endpoint", `${open.method} ${open.path}`],
                  ["Model asked", open.requestedModel ?? "—"],
                  ["Served by", open.deployment ?? "—"],
                  ["Status", `${open.status}${open.errorCode ? ` ${open.errorCode}` : ""}`],
                  ["Error", open.errorMessage ?? "—"],
                  [
                    "Latency / TTFT",
                    `${Math.round(open.latencyMs)} ms / ${open.ttftMs == null ? "—" : `${Math.round(open.ttftMs)} ms`}`,
                  ],
                  ["Tokens in / out", `${open.tokensIn} / ${open.tokensOut}`],
                  ["Cost", `$${open.costUsd.toPrecision(3)}`],
                  ["Experiment variant", open.variantId ?? "—"],
                  ["End user", open.userId ?? "—"],
                ] as const
              ).map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-muted-foreground">{k}</dt>
                  <dd className="wrap-anywhere font-mono text-xs">{v}</dd>
                </div>
              ))}
            </dl>
            <GuardrailActions actions={open.guardrails} />
            <RequestBodies id={open.id} />
            {open.requestedModel && !open.requestedModel.startsWith("experiment:") && (
              <Link
                className={buttonStyles({ variant: "secondary", className: "self-start" })}
                href={
                  open.requestedModel.startsWith("prompt:")
                    ? `/projects/${projectId}/playground?prompt=${encodeURIComponent(open.requestedModel.slice(7))}`
                    : `/projects/${projectId}/playground?model=${encodeURIComponent(open.requestedModel)}`
                }
              >
                Open in playground
              </Link>
            )}
          </div>
        )}
      </Dialog>
    </>
  );
}

/** The logged bodies, when the project's privacy setting kept them (Settings → General). */
function RequestBodies({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.monitoring.request.queryOptions({ id }));
  if (detail.isLoading) return <p className="text-muted-foreground text-xs">Loading bodies…</p>;
  if (detail.error) return <p className="text-danger text-xs">Bodies could not be loaded: {detail.error.message}</p>;
  const row = detail.data;
  if (!row || (row.requestBody == null && row.responseBody == null))
    return (
      <p className="text-muted-foreground text-xs">
        No bodies stored: the project's request body logging was off for this request (Settings → General).
      </p>
    );
  return (
    <div className="flex flex-col gap-2">
      {(
        [
          ["Request body", row.requestBody],
          ["Response", row.responseBody],
        ] as const
      ).map(([label, body]) => (
        <div key={label} className="flex flex-col gap-1">
          <span className="text-muted-foreground text-xs">{label}</span>
          <pre
            data-testid={label === "Request body" ? "request-body" : "response-body"}
            className="max-h-56 overflow-auto whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-xs"
          >
            {body == null ? "—" : JSON.stringify(body, null, 2)}
          </pre>
        </div>
      ))}
    </div>
  );
}

const ACTION_TONE = { block: "danger", mask: "warning", flag: "info" } as const;

/** What the route's guardrails did to this request: one line per stage, rule and action. */
function GuardrailActions({ actions }: { actions: Item["guardrails"] }) {
  return (
    <section aria-label="Guardrails" className="flex flex-col gap-1.5">
      <h3 className="font-medium text-sm">Guardrails</h3>
      {actions.length === 0 ? (
        <p className="text-muted-foreground text-xs">No guardrail acted on this request.</p>
      ) : (
        <ul className="flex flex-col gap-1.5">
          {actions.map((a) => (
            <li key={`${a.stage}:${a.rule}:${a.action}`} className="flex flex-wrap items-center gap-2 text-xs">
              <Badge tone={ACTION_TONE[a.action as keyof typeof ACTION_TONE] ?? "neutral"}>{a.action}</Badge>
              <span className="text-muted-foreground">{a.stage}</span>
              <code className="font-mono">{a.rule}</code>
              {a.count !== undefined && <span>× {a.count}</span>}
              {a.kinds && (
                <span className="text-muted-foreground">
                  {Object.entries(a.kinds)
                    .map(([kind, n]) => `${kind} ${n}`)
                    .join(", ")}
                </span>
              )}
              {a.score !== undefined && <span>score {a.score.toFixed(2)}</span>}
              {a.matched && a.matched.length > 0 && (
                <span className="text-muted-foreground">({a.matched.join(", ")})</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
