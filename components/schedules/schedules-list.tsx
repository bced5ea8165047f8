"use client";

import { useQuery } from "@tanstack/react-query";
import { CalendarClock } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatDateTime, formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { Badge, DataTable, type DataTableColumn, EmptyState, PageHeader } from "@/components/ui";
import { ACTION_LABELS } from "@/lib/schedules";
import { CreateScheduleDialog } from "./create-schedule-dialog";
import { formatInZone, RunOutcome } from "./format";

type ScheduleRow = RouterOutputs["schedules"]["list"]["items"][number];

export function SchedulesList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const create = useCreateDialog("jobs:write", "New schedule");
  // Next and last runs move on their own: refresh while the page is open.
  const schedules = useQuery({ ...trpc.schedules.list.queryOptions({}), refetchInterval: 5000 });

  const columns: DataTableColumn<ScheduleRow>[] = [
    {
      key: "name",
      header: "Schedule",
      cell: (s) => (
        <div className="min-w-32">
          <Link href={`/projects/${projectId}/schedules/${s.id}`} className="font-medium hover:underline">
            {s.name}
          </Link>
          <div className="text-muted-foreground text-xs">{ACTION_LABELS[s.action]}</div>
        </div>
      ),
    },
    {
      key: "when",
      header: "When",
      cell: (s) => (
        <div>
          <div>{s.description}</div>
          <div className="font-mono text-muted-foreground text-xs">
            {s.cron} · {s.timezone}
          </div>
        </div>
      ),
    },
    {
      key: "next",
      header: "Next run",
      cell: (s) =>
        s.paused ? (
          <Badge tone="warning">paused</Badge>
        ) : (
          <div>
            <div title={formatInZone(s.nextRunAt, s.timezone)}>{formatDateTime(s.nextRunAt)}</div>
            <div className="text-muted-foreground text-xs">{formatInZone(s.nextRunAt, s.timezone)}</div>
          </div>
        ),
    },
    {
      key: "last",
      header: "Last run",
      cell: (s) =>
        s.lastRun ? (
          <div className="flex flex-wrap items-center gap-2">
            <RunOutcome run={s.lastRun} />
            <span className="text-muted-foreground text-xs">{formatRelative(s.lastRun.scheduledFor)}</span>
          </div>
        ) : (
          <span className="text-muted-foreground text-xs">never</span>
        ),
    },
    { key: "policy", header: "Overlap · catch-up", cell: (s) => `${s.concurrency} · ${s.catchUp}` },
  ];

  return (
    <>
      <PageHeader
        title="Schedules"
        description="Work that starts on a cron, in a time zone: each fire time starts one job (see it on the Jobs page). Overlap says what happens while the previous run is still going; catch-up, what happens to fire times missed while nothing was running."
        actions={create.button}
      />
      <DataTable
        caption="Schedules"
        columns={columns}
        rowKey={(s) => s.id}
        rows={schedules.data?.items ?? []}
        loading={schedules.isLoading}
        error={schedules.error}
        onRetry={() => void schedules.refetch()}
        empty={
          <EmptyState
            icon={CalendarClock}
            title="No schedules yet"
            description="A schedule runs a prompt over a dataset version every night, say, and keeps the outputs as a new version."
            action={create.emptyAction}
          />
        }
      />
      <CreateScheduleDialog {...create.dialog} />
    </>
  );
}
