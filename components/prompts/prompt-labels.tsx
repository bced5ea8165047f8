"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { History, Lock, LockOpen, Undo2 } from "lucide-react";
import { formatDateTime, formatRelative } from "@/components/format";
import type { PromptDetailData } from "@/components/prompts/types";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, Card, CardContent, DataTable, type DataTableColumn, EmptyState, toast } from "@/components/ui";
import { MovePointerForm, undoableEvents } from "@/components/versioning/move-pointer-form";

type LabelEvent = RouterOutputs["prompts"]["labelHistory"][number];

export function PromptLabels({ prompt }: { prompt: PromptDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const history = useQuery(trpc.prompts.labelHistory.queryOptions({ promptId: prompt.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ id: prompt.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey({ promptId: prompt.id }) }),
    ]);
  const move = useMutation(trpc.prompts.moveLabel.mutationOptions({ onSuccess: () => void refresh() }));
  const protect = useMutation(
    trpc.prompts.protectLabel.mutationOptions({
      onSuccess: (r) => {
        toast.success(`${r.label} is ${r.protected ? "protected" : "no longer protected"}`);
        void refresh();
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const mayWrite = can("prompts:write");
  const isAdmin = role === "owner" || role === "admin";
  const undoable = undoableEvents(history.data, (e) => e.label);
  const rollBack = async (e: LabelEvent) => {
    try {
      await move.mutateAsync({
        promptId: prompt.id,
        label: e.label,
        version: e.fromVersion!,
        reason: `rollback from v${e.toVersion}`,
      });
      toast.success(`${e.label} → v${e.fromVersion}`);
    } catch (error) {
      toast.error((error as Error).message);
    }
  };

  const columns: DataTableColumn<LabelEvent>[] = [
    {
      key: "when",
      header: "When",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
    },
    { key: "label", header: "Label", cell: (e) => <Badge tone="accent">{e.label}</Badge> },
    {
      key: "move",
      header: "Move",
      cell: (e) => (
        <span className="font-mono text-xs">
          {e.fromVersion ? `v${e.fromVersion}` : "new"} → v{e.toVersion}
        </span>
      ),
    },
    { key: "reason", header: "Reason", cell: (e) => e.reason || "—" },
    { key: "who", header: "By", cell: (e) => e.actorLabel },
    {
      key: "undo",
      header: <span className="sr-only">Actions</span>,
      className: "w-36 text-right",
      cell: (e) =>
        mayWrite && undoable.has(e.id) ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Roll back ${e.label} to v${e.fromVersion}`}
            onClick={() => void rollBack(e)}
          >
            <Undo2 className="size-4" aria-hidden /> Roll back
          </Button>
        ) : null,
    },
  ];

  return (
    <section className="flex flex-col gap-4" aria-label="Labels">
      <div className="grid grid-cols-[1fr_2fr] gap-4">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Labels</h3>
            <ul className="flex flex-col gap-1.5 text-sm">
              <li className="flex items-center justify-between">
                <Badge>latest</Badge>
                <span className="font-mono text-xs">v{prompt.latestVersion}</span>
              </li>
              {prompt.labels.map((l) => (
                <li key={l.name} className="flex items-center justify-between gap-2">
                  <Badge tone={l.name === "production" ? "success" : "accent"}>{l.name}</Badge>
                  <span className="flex-1 text-right font-mono text-xs">v{l.version}</span>
                  {isAdmin && (
                    <Button
                      size="icon"
                      variant="ghost"
                      aria-label={`${l.protected ? "Unprotect" : "Protect"} ${l.name}`}
                      title={l.protected ? "Protected: only owners and admins move it" : "Protect"}
                      onClick={() => protect.mutate({ promptId: prompt.id, label: l.name, protected: !l.protected })}
                    >
                      {l.protected ? (
                        <Lock className="size-4" aria-hidden />
                      ) : (
                        <LockOpen className="size-4" aria-hidden />
                      )}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
        {mayWrite && (
          <MovePointerForm
            field="label"
            heading="Move a label"
            versions={prompt.versions}
            suggestions={["production", "staging", ...prompt.labels.map((l) => l.name)]}
            error={move.error}
            pending={move.isPending}
            onMove={(label, version, reason) => move.mutateAsync({ promptId: prompt.id, label, version, reason })}
          />
        )}
      </div>
      <h3 className="font-medium text-sm">Label history</h3>
      <DataTable
        caption="Label history"
        columns={columns}
        rows={history.data}
        rowKey={(e) => e.id}
        loading={history.isLoading}
        error={history.error}
        empty={<EmptyState icon={History} title="No label moves yet" />}
      />
    </section>
  );
}
