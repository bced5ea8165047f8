"use client";

import { useQuery } from "@tanstack/react-query";
import { FlaskConical, Plus } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { CreateExperimentDialog } from "@/components/experiments/create-experiment-dialog";
import { ExperimentStatusBadge, SplitBar } from "@/components/experiments/status-badge";
import { VIEWER_REASON, WriteButton } from "@/components/experiments/write-button";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { tableState, useListQuery } from "@/components/providers/use-list-query";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { DataTable, type DataTableColumn, EmptyState, PageHeader, Select } from "@/components/ui";

type Experiment = RouterOutputs["experiments"]["list"][number];

export function ExperimentsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const list = useListQuery({ status: "" });
  const { can } = useProjectAccess();
  const [creating, setCreating] = useState(false);
  const newButton = (
    <WriteButton allowed={can("experiments:write")} reason={VIEWER_REASON} onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> New experiment
    </WriteButton>
  );
  const experiments = useQuery(
    trpc.experiments.list.queryOptions({ status: list.query.status as Experiment["status"] | undefined }),
  );
  const columns: DataTableColumn<Experiment>[] = [
    {
      key: "name",
      header: "Experiment",
      cell: (e) => (
        <div>
          <Link href={`/projects/${projectId}/experiments/${e.id}`} className="font-medium hover:underline">
            {e.name}
          </Link>
          {e.hypothesis && <div className="line-clamp-1 text-muted-foreground text-xs">{e.hypothesis}</div>}
        </div>
      ),
    },
    { key: "status", header: "Status", cell: (e) => <ExperimentStatusBadge status={e.status} /> },
    { key: "prompt", header: "Prompt", cell: (e) => e.promptName ?? "—" },
    {
      key: "split",
      header: "Split",
      className: "w-48",
      cell: (e) => (
        <div className="flex flex-col gap-1">
          <SplitBar variants={e.variants} />
          <span className="text-muted-foreground text-xs">
            {e.variants.map((v) => `${v.key} ${v.weight}%`).join(" · ")}
          </span>
        </div>
      ),
    },
    { key: "traffic", header: "Traffic", cell: (e) => `${e.trafficPercent}%` },
    { key: "metric", header: "Primary metric", cell: (e) => e.metrics[0]?.name ?? "—" },
    { key: "started", header: "Started", cell: (e) => (e.startedAt ? formatRelative(e.startedAt) : "—") },
  ];
  return (
    <>
      <PageHeader
        title="Experiments"
        description="A/B tests between prompt or model versions, with sticky assignment and honest statistics."
        actions={newButton}
      />
      <DataTable
        caption="Experiments"
        columns={columns}
        rowKey={(e) => e.id}
        {...tableState(experiments)}
        toolbar={
          <Select aria-label="Status" {...list.bind("status")} className="w-40">
            <option value="">All statuses</option>
            {["draft", "running", "stopped", "concluded"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        }
        empty={
          <EmptyState
            icon={FlaskConical}
            title="No experiments yet"
            description="Compare two or more prompt versions (or model versions) on live traffic."
            action={newButton}
          />
        }
      />
      <CreateExperimentDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
