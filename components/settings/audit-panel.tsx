"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { formatDateTimeSeconds, formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { AuditFilters } from "@/components/settings/audit-filters";
import { useAuditFilters } from "@/components/settings/use-audit-filters";
import { Badge, DataTable, type DataTableColumn, EmptyState } from "@/components/ui";

type Entry = RouterOutputs["audit"]["list"]["items"][number];

function summarize(summary: Record<string, unknown>): string {
  return Object.entries(summary)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

const PAGE_SIZE = 25;

export function AuditPanel() {
  const trpc = useTRPC();
  const filters = useAuditFilters();
  const audit = useQuery({
    ...trpc.audit.list.queryOptions({ ...filters.query, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const columns: DataTableColumn<Entry>[] = [
    {
      key: "when",
      header: "When",
      className: "w-44",
      cell: (e) => (
        <span className="flex flex-col">
          <span className="whitespace-nowrap">{formatDateTimeSeconds(e.createdAt)}</span>
          <span className="text-muted-foreground text-xs">{formatRelative(e.createdAt)}</span>
        </span>
      ),
    },
    {
      key: "actor",
      header: "Who",
      cell: (e) => (
        <span className="flex items-center gap-2">
          <Badge tone={e.actorType === "user" ? "info" : e.actorType === "api_key" ? "accent" : "neutral"}>
            {e.actorType === "api_key" ? "key" : e.actorType}
          </Badge>
          <span className="truncate">{e.actorLabel}</span>
        </span>
      ),
    },
    { key: "action", header: "Action", cell: (e) => <code className="font-mono text-xs">{e.action}</code> },
    {
      key: "summary",
      header: "Change",
      cell: (e) => (
        <span className="line-clamp-2 text-muted-foreground text-xs [overflow-wrap:anywhere]">
          {summarize(e.summary)}
        </span>
      ),
    },
  ];

  return (
    <section aria-labelledby="audit-title" className="flex min-w-0 flex-col gap-4">
      <div>
        <h2 id="audit-title" className="font-semibold text-base">
          Audit log
        </h2>
        <p className="text-muted-foreground text-sm">
          Every change in this project: who made it, when, and what changed.
        </p>
      </div>
      <DataTable
        caption="Audit log"
        columns={columns}
        rowKey={(e) => e.id}
        rows={audit.data?.items}
        loading={audit.isLoading}
        error={audit.error}
        onRetry={() => void audit.refetch()}
        page={filters.page}
        pageSize={PAGE_SIZE}
        total={audit.data?.total}
        onPageChange={filters.setPage}
        toolbar={<AuditFilters filters={filters} />}
        empty={<EmptyState icon={ScrollText} title="Nothing recorded" description="No change matches these filters." />}
      />
    </section>
  );
}
