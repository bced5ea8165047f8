"use client";

import { useQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Badge, Button, DataTable, type DataTableColumn, Dialog, EmptyState } from "@/components/ui";

export type SavedRun = RouterOutputs["playground"]["history"]["items"][number];

function snippet(run: SavedRun): string {
  const input = run.request.input;
  const text =
    "prompt" in input ? input.prompt : (input.messages.filter((m) => m.role === "user").at(-1)?.content ?? "");
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

export function HistoryDialog({
  open,
  onOpenChange,
  onOpen,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onOpen: (run: SavedRun) => void;
}) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const history = useQuery({ ...trpc.playground.history.queryOptions({ page, pageSize: 10 }), enabled: open });
  const columns: DataTableColumn<SavedRun>[] = [
    { key: "when", header: "When", className: "w-32", cell: (r) => formatRelative(r.createdAt) },
    { key: "input", header: "Input", cell: (r) => <span className="line-clamp-1">{snippet(r)}</span> },
    {
      key: "models",
      header: "Models",
      cell: (r) => (
        <div className="flex flex-wrap gap-1">
          {r.request.configs.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same model may be compared with itself
            <Badge key={i}>{c.model}</Badge>
          ))}
        </div>
      ),
    },
    {
      key: "result",
      header: "Result",
      cell: (r) => (
        <div className="flex flex-wrap gap-1">
          {r.results.map((slot, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one result per column, in order
            <Badge key={i} tone={!slot ? "neutral" : slot.stopped ? "neutral" : slot.error ? "danger" : "success"}>
              {!slot ? "no result" : slot.stopped ? "stopped" : slot.error ? "error" : "done"}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: "open",
      header: <span className="sr-only">Open</span>,
      className: "w-20 text-right",
      cell: (r) => (
        <Button size="sm" variant="ghost" onClick={() => onOpen(r)}>
          Open
        </Button>
      ),
    },
  ];
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Your playground runs" className="max-w-3xl">
      <DataTable
        caption="Playground history"
        columns={columns}
        rows={history.data?.items}
        rowKey={(r) => r.id}
        loading={history.isLoading}
        error={history.error}
        page={page}
        pageSize={10}
        total={history.data?.total}
        onPageChange={setPage}
        empty={<EmptyState icon={History} title="No runs yet" description="Runs you start are kept here." />}
      />
    </Dialog>
  );
}
