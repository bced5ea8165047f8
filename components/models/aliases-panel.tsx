"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { History, Undo2 } from "lucide-react";
import { useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import type { ModelDetailData } from "@/components/models/types";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  Card,
  CardContent,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  EmptyState,
  toast,
} from "@/components/ui";
import { MovePointerForm, undoableEvents } from "@/components/versioning/move-pointer-form";

type AliasEvent = RouterOutputs["models"]["aliasHistory"][number];

/** Current aliases, a form to move one, and the deployment log with one-click rollback. */
export function AliasesPanel({ model }: { model: ModelDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectAccess();
  const [rollback, setRollback] = useState<AliasEvent | null>(null);
  const history = useQuery(trpc.models.aliasHistory.queryOptions({ modelId: model.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.models.get.queryKey({ id: model.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.models.aliasHistory.queryKey({ modelId: model.id }) }),
    ]);
  const move = useMutation(trpc.models.moveAlias.mutationOptions({ onSuccess: () => void refresh() }));
  const mayWrite = can("models:write");
  const undoable = undoableEvents(history.data, (e) => e.alias);

  const columns: DataTableColumn<AliasEvent>[] = [
    {
      key: "when",
      header: "When",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
    },
    { key: "alias", header: "Alias", cell: (e) => <Badge tone="accent">{e.alias}</Badge> },
    {
      key: "move",
      header: "Move",
      cell: (e) => (
        <span className="font-mono text-xs">
          {e.fromVersion ? `v${e.fromVersion}` : "new"} → {e.toVersion ? `v${e.toVersion}` : "removed"}
        </span>
      ),
    },
    { key: "reason", header: "Reason", cell: (e) => <span className="text-muted-foreground">{e.reason || "—"}</span> },
    { key: "who", header: "By", cell: (e) => e.actorLabel },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "w-32 text-right",
      cell: (e) =>
        mayWrite && undoable.has(e.id) ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setRollback(e)}
            aria-label={`Roll back ${e.alias} to v${e.fromVersion}`}
          >
            <Undo2 className="size-4" aria-hidden /> Roll back
          </Button>
        ) : null,
    },
  ];

  return (
    <section className="flex flex-col gap-4" aria-label="Aliases and deployments">
      <div className="grid grid-cols-[1fr_2fr] gap-4">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Current aliases</h3>
            {model.aliases.length === 0 ? (
              <p className="text-muted-foreground text-sm">
                No aliases yet. Point `production` at a version to deploy it.
              </p>
            ) : (
              <ul className="flex flex-col gap-1.5 text-sm">
                {model.aliases.map((a) => (
                  <li key={a.name} className="flex items-center justify-between">
                    <Badge tone={a.name === "production" ? "success" : "accent"}>{a.name}</Badge>
                    <span className="font-mono text-xs">v{a.version}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        {mayWrite && (
          <MovePointerForm
            field="alias"
            heading="Move an alias"
            versions={model.versions}
            suggestions={["production", "staging", "champion", "canary", ...model.aliases.map((a) => a.name)]}
            error={move.error}
            pending={move.isPending}
            onMove={(alias, version, reason) => move.mutateAsync({ modelId: model.id, alias, version, reason })}
          />
        )}
      </div>
      <h3 className="font-medium text-sm">Deployment log</h3>
      <DataTable
        caption="Deployment log"
        columns={columns}
        rows={history.data}
        rowKey={(e) => e.id}
        loading={history.isLoading}
        error={history.error}
        onRetry={() => void history.refetch()}
        empty={<EmptyState icon={History} title="No alias moves yet" />}
      />
      <ConfirmDialog
        open={rollback !== null}
        onOpenChange={(o) => !o && setRollback(null)}
        title={`Roll ${rollback?.alias} back to v${rollback?.fromVersion}?`}
        description={`${rollback?.alias} points at v${rollback?.toVersion} now. Traffic using it moves back to v${rollback?.fromVersion} at once.`}
        confirmLabel="Roll back"
        tone="primary"
        onConfirm={async () => {
          if (!rollback?.fromVersion) return;
          try {
            await move.mutateAsync({
              modelId: model.id,
              alias: rollback.alias,
              version: rollback.fromVersion,
              reason: `rollback from v${rollback.toVersion}`,
            });
            toast.success(`${rollback.alias} rolled back to v${rollback.fromVersion}`);
            setRollback(null);
          } catch (error) {
            toast.error((error as Error).message);
            throw error;
          }
        }}
      />
    </section>
  );
}
