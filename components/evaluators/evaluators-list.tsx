"use client";

import { useQuery } from "@tanstack/react-query";
import { Scale } from "lucide-react";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  CopyButton,
  DataTable,
  type DataTableColumn,
  Dialog,
  EmptyState,
  PageHeader,
} from "@/components/ui";
import { EVALUATOR_TYPE_LABELS } from "@/lib/evals/evaluators";
import { EvaluatorDialog } from "./evaluator-dialog";

type Row = RouterOutputs["evaluators"]["list"][number];

/** Describes a version's config in a line: what it compares with. */
function summary(row: Row): string {
  const latest = row.latest;
  if (!latest) return "";
  const c = latest.config;
  if (typeof c.pattern === "string") return `/${c.pattern}/${String(c.flags ?? "")}`;
  if (typeof c.path === "string") return String(c.path);
  if (typeof c.model === "string") return String(c.model);
  if (typeof c.url === "string") return String(c.url);
  if (c.useExpected === true) return "vs. expected output";
  if (c.value !== undefined) return `vs. ${JSON.stringify(c.value).slice(0, 60)}`;
  return "";
}

export function EvaluatorsList() {
  const trpc = useTRPC();
  const create = useCreateDialog("evals:write", "New evaluator");
  const { can, role, isLoading } = useProjectAccess();
  const [editing, setEditing] = useState<Row | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const evaluators = useQuery(trpc.evaluators.list.queryOptions());
  const why = isLoading || can("evals:write") ? undefined : deniedReason(role, "evals:write");

  const columns: DataTableColumn<Row>[] = [
    {
      key: "name",
      header: "Evaluator",
      cell: (e) => (
        <div className="min-w-32">
          <div className="font-medium">{e.name}</div>
          {e.description && <div className="text-muted-foreground text-xs">{e.description}</div>}
        </div>
      ),
    },
    {
      key: "type",
      header: "Type",
      cell: (e) =>
        e.latest ? (
          <div>
            <div>{EVALUATOR_TYPE_LABELS[e.latest.type].title}</div>
            <div className="max-w-64 truncate font-mono text-muted-foreground text-xs">{summary(e)}</div>
          </div>
        ) : null,
    },
    {
      key: "pass",
      header: "Passes at",
      cell: (e) =>
        e.latest ? (
          <div className="flex flex-wrap items-center gap-1">
            <span className="font-mono">≥ {e.latest.effectiveThreshold}</span>
            {e.latest.negate && <Badge tone="warning">negated</Badge>}
          </div>
        ) : null,
    },
    {
      key: "version",
      header: "Version",
      cell: (e) => (
        <div>
          <div>v{e.latest?.version ?? 0}</div>
          <div className="text-muted-foreground text-xs">{formatRelative(e.updatedAt)}</div>
        </div>
      ),
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      cell: (e) => (
        <Button variant="secondary" size="sm" onClick={() => setEditing(e)} disabled={Boolean(why)} title={why}>
          New version
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Evaluators"
        description="Checks that score an answer 0..1 with a reason: exact and pattern matches, JSON, similarity, an LLM judge or your own service. Eval runs, gates and rollouts use them by name or version; versions are immutable."
        actions={create.button}
      />
      <DataTable
        caption="Evaluators"
        columns={columns}
        rowKey={(e) => e.id}
        rows={evaluators.data ?? []}
        loading={evaluators.isLoading}
        error={evaluators.error}
        onRetry={() => void evaluators.refetch()}
        empty={
          <EmptyState
            icon={Scale}
            title="No evaluators yet"
            description="Start with an exact match against the expected output, or an LLM judge with a rubric."
            action={create.emptyAction}
          />
        }
      />
      {create.dialog.open && <EvaluatorDialog key="new" {...create.dialog} onSecret={setSecret} />}
      {editing && (
        <EvaluatorDialog
          key={editing.id}
          open
          onOpenChange={(open) => !open && setEditing(null)}
          evaluator={editing}
          onSecret={setSecret}
        />
      )}
      <Dialog
        open={secret !== null}
        onOpenChange={(open) => !open && setSecret(null)}
        title="Signing secret"
        description="Shown once. Your service checks the x-switchyard-signature header (t=<unix seconds>,v1=<hex HMAC-SHA256 of “<t>.<body>”>) with it."
      >
        <div className="flex items-center gap-2">
          <code className="break-all rounded bg-muted px-2 py-1 font-mono text-sm">{secret}</code>
          {secret && <CopyButton value={secret} />}
        </div>
      </Dialog>
    </>
  );
}
