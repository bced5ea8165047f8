"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ScanSearch, Trash2 } from "lucide-react";
import { useState } from "react";
import { formatDateTime } from "@/components/format";
import { MonitoringLinks } from "@/components/monitoring/explorer/monitoring-links";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog, WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  Checkbox,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  EmptyState,
  PageHeader,
  toast,
} from "@/components/ui";
import { CreateOnlineRuleDialog } from "./create-online-rule-dialog";

type Rule = RouterOutputs["onlineEvals"]["list"]["items"][number];

function describeFilter(filter: Rule["filter"]): string {
  const parts = [
    filter.model ? `model ${filter.model}` : null,
    filter.promptId ? "one prompt" : null,
    filter.path ?? null,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "all completions";
}

/** The project's online evaluation rules: list, create, enable or disable, delete. */
export function OnlineRules() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useCreateDialog("evals:write", "New rule");
  const { can, role, isLoading } = useProjectAccess();
  const allowed = can("evals:write");
  const why = allowed || isLoading ? undefined : deniedReason(role, "evals:write");
  const rules = useQuery(trpc.onlineEvals.list.queryOptions({}));
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.onlineEvals.pathKey() });
  const update = useMutation(
    trpc.onlineEvals.update.mutationOptions({
      onSuccess: (rule) => {
        toast.success(`${rule.name} is ${rule.enabled ? "enabled" : "disabled"}`);
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const remove = useMutation(
    trpc.onlineEvals.delete.mutationOptions({
      onSuccess: () => {
        toast.success("Rule deleted with its scores");
        setDeleting(null);
        refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  const columns: DataTableColumn<Rule>[] = [
    {
      key: "name",
      header: "Rule",
      cell: (r) => (
        <div className="min-w-32">
          <div className="font-medium">{r.name}</div>
          <div className="text-muted-foreground text-xs">{describeFilter(r.filter)}</div>
        </div>
      ),
    },
    {
      key: "evaluator",
      header: "Evaluator",
      cell: (r) => (
        <span>
          {r.evaluatorName} v{r.evaluatorVersion}{" "}
          <span className="text-muted-foreground text-xs">{r.evaluatorType}</span>
        </span>
      ),
    },
    { key: "rate", header: "Sample rate", cell: (r) => `${Math.round(r.sampleRate * 1000) / 10} %` },
    {
      key: "enabled",
      header: "Enabled",
      cell: (r) => (
        <WithReason why={why}>
          <Checkbox
            aria-label={`${r.enabled ? "Disable" : "Enable"} ${r.name}`}
            checked={r.enabled}
            disabled={!allowed || update.isPending}
            onChange={(e) => update.mutate({ id: r.id, enabled: e.target.checked })}
          />
        </WithReason>
      ),
    },
    {
      key: "created",
      header: "Created",
      cell: (r) => (
        <div className="text-xs">
          <div>{formatDateTime(r.createdAt)}</div>
          <div className="text-muted-foreground">{r.createdByLabel}</div>
        </div>
      ),
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      cell: (r) => (
        <WithReason why={why}>
          <Button
            size="sm"
            variant="ghost"
            disabled={!allowed}
            onClick={() => setDeleting(r)}
            aria-label={`Delete ${r.name}`}
          >
            <Trash2 aria-hidden />
          </Button>
        </WithReason>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Online evaluation"
        description="Rules that score a sampled share of live gateway traffic with an evaluator, in the background. The request never waits; bodies are kept only until scored, whatever the project's body logging."
        actions={create.button}
      />
      <MonitoringLinks />
      <DataTable
        caption="Online evaluation rules"
        columns={columns}
        rowKey={(r) => r.id}
        rows={rules.data?.items ?? []}
        loading={rules.isLoading}
        error={rules.error}
        onRetry={() => void rules.refetch()}
        empty={
          <EmptyState
            icon={ScanSearch}
            title="No rules yet"
            description="A rule scores, say, 5 % of support-bot's answers with an LLM judge, so quality shows next to latency and cost."
            action={create.emptyAction}
          />
        }
      />
      {rules.data?.items.some((r) => !r.enabled) ? (
        <p className="text-muted-foreground text-xs">
          <Badge>disabled</Badge> rules keep their scores and sample nothing.
        </p>
      ) : null}
      <CreateOnlineRuleDialog {...create.dialog} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.name ?? "rule"}?`}
        description="Its scores are deleted with it. Disable it instead to keep them."
        confirmLabel="Delete"
        tone="danger"
        loading={remove.isPending}
        onConfirm={() => {
          if (deleting) remove.mutate({ id: deleting.id });
        }}
      />
    </>
  );
}
