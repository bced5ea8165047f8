"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { formatDateTime, formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useListQuery } from "@/components/providers/use-list-query";
import { Badge, DataTable, type DataTableColumn, EmptyState, Input, Select } from "@/components/ui";

type Entry = RouterOutputs["audit"]["list"]["items"][number];

const ACTIONS = [
  ["", "All actions"],
  ["apiKey.", "API keys"],
  ["member.", "Members"],
  ["project.", "Projects"],
  ["admin.", "Administration"],
] as const;

function summarize(summary: Record<string, unknown>): string {
  return Object.entries(summary)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

export function AuditPanel() {
  const trpc = useTRPC();
  const list = useListQuery({ action: "", actor: "" });
  const audit = useQuery({ ...trpc.audit.list.queryOptions(list.query), placeholderData: keepPreviousData });

  const columns: DataTableColumn<Entry>[] = [
    {
      key: "when",
      header: "When",
      className: "w-40",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
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
      cell: (e) => <span className="line-clamp-2 text-muted-foreground text-xs">{summarize(e.summary)}</span>,
    },
  ];

  return (
    <section aria-labelledby="audit-title" className="flex flex-col gap-4">
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
        {...list.table(audit)}
        toolbar={
          <div className="flex gap-2">
            <Select aria-label="Filter by action" {...list.bind("action")} className="w-44">
              {ACTIONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
            <Input
              aria-label="Filter by actor"
              placeholder="Filter by user or key…"
              {...list.bind("actor")}
              className="w-64"
            />
          </div>
        }
        empty={<EmptyState icon={ScrollText} title="Nothing recorded" description="No change matches these filters." />}
      />
    </section>
  );
}
