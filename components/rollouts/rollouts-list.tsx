"use client";

import { useQuery } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { DataTable, type DataTableColumn, EmptyState, PageHeader } from "@/components/ui";
import { CreateRolloutDialog } from "./create-rollout-dialog";
import { RolloutStatusBadge, StepProgress } from "./format";

type RolloutRow = RouterOutputs["rollouts"]["list"]["items"][number];

export function RolloutsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const create = useCreateDialog("rollouts:write", "New rollout");
  // The analysis moves rollouts on its own (steps, rollbacks): refresh while the page is open.
  const rollouts = useQuery({ ...trpc.rollouts.list.queryOptions({}), refetchInterval: 5000 });

  const columns: DataTableColumn<RolloutRow>[] = [
    {
      key: "subject",
      header: "Subject",
      cell: (r) => (
        <div className="min-w-32">
          <Link href={`/projects/${projectId}/rollouts/${r.id}`} className="font-medium hover:underline">
            {r.subjectName}
          </Link>
          <div className="text-muted-foreground text-xs">
            {r.subjectType} · {r.subjectType === "prompt" ? "label" : "alias"}{" "}
            <span className="font-mono">{r.label}</span>
          </div>
        </div>
      ),
    },
    {
      key: "versions",
      header: "Stable → candidate",
      cell: (r) => (
        <span className="whitespace-nowrap font-mono text-sm">
          v{r.stableVersion} → v{r.candidateVersion}
        </span>
      ),
    },
    { key: "status", header: "Status", cell: (r) => <RolloutStatusBadge status={r.status} /> },
    {
      key: "progress",
      header: "Traffic",
      cell: (r) => (
        <StepProgress percent={r.candidatePercent} step={r.currentStep} steps={r.steps.length} status={r.status} />
      ),
    },
    {
      key: "started",
      header: "Started",
      cell: (r) => (
        <div className="text-xs">
          <div>{formatRelative(r.createdAt)}</div>
          <div className="text-muted-foreground">{r.createdByLabel}</div>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Canary releases: a label's traffic moves to a candidate version in steps, sticky per user. Every window is analysed per arm (errors, latency, cost, feedback); a failing one rolls back at once, passing ones advance and finally move the label."
        actions={create.button}
      />
      <DataTable
        caption="Rollouts"
        columns={columns}
        rowKey={(r) => r.id}
        rows={rollouts.data?.items ?? []}
        loading={rollouts.isLoading}
        error={rollouts.error}
        onRetry={() => void rollouts.refetch()}
        empty={
          <EmptyState
            icon={Rocket}
            title="No rollouts yet"
            description="Start one to send 5 % of a label's traffic to a new prompt or model version, and let the analysis decide whether it goes further."
            action={create.emptyAction}
          />
        }
      />
      <CreateRolloutDialog {...create.dialog} />
    </>
  );
}
