"use client";

import { useQuery } from "@tanstack/react-query";
import { GraduationCap, Plus } from "lucide-react";
import { useState } from "react";
import { DatasetTabs } from "@/components/datasets/dataset-tabs";
import { NewJobDialog } from "@/components/datasets/new-job-dialog";
import { useDatasetWrite, WriteGuard } from "@/components/datasets/write-guard";
import { formatDateTime } from "@/components/format";
import { SubjectJobs } from "@/components/jobs/subject-jobs";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  type BadgeTone,
  Button,
  DataTable,
  type DataTableColumn,
  EmptyState,
  PageHeader,
  ProgressBar,
} from "@/components/ui";

type Job = RouterOutputs["fineTuning"]["list"][number];

const STATUS_TONE: Record<Job["status"], BadgeTone> = {
  queued: "neutral",
  running: "info",
  succeeded: "success",
  failed: "danger",
  cancelled: "warning",
};

/** Fine-tuning jobs: queued here, run by executors outside the app; refreshed while any is queued or running. */
export function FineTuningJobs() {
  const trpc = useTRPC();
  const write = useDatasetWrite();
  const [creating, setCreating] = useState(false);
  const jobs = useQuery({
    ...trpc.fineTuning.list.queryOptions({}),
    refetchInterval: (q) =>
      q.state.data?.some((j) => j.status === "queued" || j.status === "running") ? 5_000 : false,
  });
  const newJob = (
    <WriteGuard reason={write.reason}>
      <Button onClick={() => setCreating(true)} disabled={!write.allowed} aria-description={write.reason}>
        <Plus className="size-4" aria-hidden /> New job
      </Button>
    </WriteGuard>
  );
  const columns: DataTableColumn<Job>[] = [
    {
      key: "status",
      header: "Status",
      cell: (j) => (
        <Badge tone={STATUS_TONE[j.status]} dot>
          {j.status}
        </Badge>
      ),
    },
    {
      key: "progress",
      header: "Progress",
      className: "w-40",
      cell: (j) => (
        <ProgressBar value={j.progress * 100} label={`${Math.round(j.progress * 100)} %`} showValue={false} />
      ),
    },
    { key: "base", header: "Base model", cell: (j) => j.baseModelLabel },
    { key: "data", header: "Dataset", cell: (j) => j.datasetLabel },
    {
      key: "hp",
      header: "Hyperparameters",
      cell: (j) =>
        Object.entries(j.hyperparameters)
          .map(([k, v]) => `${k} ${v}`)
          .join(" · ") || "auto",
    },
    {
      key: "metrics",
      header: "Last metrics",
      cell: (j) => {
        const last = j.metrics.at(-1);
        if (!last) return "—";
        return Object.entries(last)
          .filter(([k]) => k !== "at" && k !== "progress")
          .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
          .join(" · ");
      },
    },
    {
      key: "outcome",
      header: "Executor / outcome",
      cell: (j) =>
        j.error ? (
          <span className="text-danger">{j.error}</span>
        ) : (
          <span className="text-muted-foreground">
            {j.executor ?? "not claimed"}
            {j.resultModelVersionId ? " · new model version" : ""}
          </span>
        ),
    },
    { key: "created", header: "Created", cell: (j) => formatDateTime(j.createdAt) },
    {
      key: "job",
      header: "Background job",
      cell: (j) => <SubjectJobs subjectType="fine_tune_job" subjectId={j.id} limit={1} compact />,
    },
  ];
  return (
    <>
      <PageHeader
        title="Fine-tuning jobs"
        description="A base model version trained on a dataset version. Executors claim queued jobs over the API, report progress and upload the result as a new model version."
        actions={newJob}
      />
      <DatasetTabs value="fine-tuning" />
      <DataTable
        caption="Fine-tuning jobs"
        columns={columns}
        rows={jobs.data}
        rowKey={(j) => j.id}
        loading={jobs.isLoading}
        error={jobs.error}
        onRetry={() => void jobs.refetch()}
        empty={
          <EmptyState
            icon={GraduationCap}
            title="No fine-tuning jobs yet"
            description="Queue one from a dataset version; an executor picks it up."
            action={newJob}
          />
        }
      />
      {creating && <NewJobDialog open onOpenChange={setCreating} />}
    </>
  );
}
