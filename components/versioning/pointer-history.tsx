"use client";

import { History, Undo2 } from "lucide-react";
import { useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, toast } from "@/components/ui";
import { type Rollback, RollbackDialog } from "@/components/versioning/rollback-dialog";

/** One move of a name (a model alias, a prompt label) from one version to another. */
export interface PointerEvent {
  id: string;
  createdAt: Date;
  fromVersion: number | null;
  toVersion: number | null;
  reason: string;
  actorLabel: string;
}

/**
 * The log of a pointer's moves, newest first, shared by model aliases and prompt labels. The newest
 * move of each name can be rolled back (moved back to its previous version) by whoever may write:
 * right away, or after a RollbackDialog when `confirmRollback` is set.
 */
export function PointerHistory<E extends PointerEvent>({
  field,
  title,
  history,
  nameOf,
  mayWrite,
  confirmRollback = false,
  onMove,
}: {
  /** The noun of the pointer: the name column's header, the empty state's title. */
  field: "alias" | "label";
  /** The heading above the table, and its accessible name. */
  title: string;
  history: { data?: E[]; isLoading: boolean; error: { message: string } | null; refetch: () => unknown };
  nameOf: (event: E) => string;
  mayWrite: boolean;
  confirmRollback?: boolean;
  /** Moves a name to a version; throws on failure. */
  onMove: (name: string, version: number, reason: string) => Promise<unknown>;
}) {
  const [pending, setPending] = useState<Rollback | null>(null);
  const undoable = undoableEvents(history.data, nameOf);
  const rollBack = async ({ name, fromVersion, toVersion }: Rollback) => {
    try {
      await onMove(name, fromVersion, `rollback from v${toVersion}`);
      toast.success(`${name} rolled back to v${fromVersion}`);
      setPending(null);
    } catch (error) {
      toast.error((error as Error).message);
      throw error;
    }
  };
  const noun = field === "alias" ? "Alias" : "Label";

  const columns: DataTableColumn<E>[] = [
    {
      key: "when",
      header: "When",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
    },
    { key: "name", header: noun, cell: (e) => <Badge tone="accent">{nameOf(e)}</Badge> },
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
      className: "w-36 text-right",
      cell: (e) => {
        if (!mayWrite || !undoable.has(e.id)) return null;
        const rollback = { name: nameOf(e), fromVersion: e.fromVersion!, toVersion: e.toVersion! };
        return (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Roll back ${rollback.name} to v${rollback.fromVersion}`}
            onClick={() => (confirmRollback ? setPending(rollback) : void rollBack(rollback).catch(() => {}))}
          >
            <Undo2 className="size-4" aria-hidden /> Roll back
          </Button>
        );
      },
    },
  ];

  return (
    <>
      <h3 className="font-medium text-sm">{title}</h3>
      <DataTable
        caption={title}
        columns={columns}
        rows={history.data}
        rowKey={(e) => e.id}
        loading={history.isLoading}
        error={history.error}
        onRetry={() => void history.refetch()}
        empty={<EmptyState icon={History} title={`No ${field} moves yet`} />}
      />
      <RollbackDialog rollback={pending} onClose={() => setPending(null)} onConfirm={rollBack} />
    </>
  );
}

/**
 * Ids of the events a rollback may undo: the newest move of each name, when it moved
 * from one version to another (not a creation, not a removal).
 */
function undoableEvents<E extends { id: string; fromVersion: number | null; toVersion: number | null }>(
  events: E[] | undefined,
  nameOf: (e: E) => string,
): Set<string> {
  const seen = new Set<string>();
  const undoable = new Set<string>();
  for (const e of events ?? []) {
    if (seen.has(nameOf(e))) continue;
    seen.add(nameOf(e));
    if (e.fromVersion !== null && e.toVersion !== null) undoable.add(e.id);
  }
  return undoable;
}
