"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pause, Play, Trash2, Zap } from "lucide-react";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { formatDateTime, formatDateTimeSeconds } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  Card,
  CardContent,
  CardHeader,
  CardTitle,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  ErrorState,
  LoadingState,
  PageHeader,
  toast,
} from "@/components/ui";
import { ACTION_LABELS, CATCH_UP_HELP, CONCURRENCY_HELP } from "@/lib/schedules";
import { formatInZone, RunOutcome } from "./format";

type Run = RouterOutputs["schedules"]["get"]["runs"][number];

export function ScheduleDetail({ scheduleId }: { scheduleId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can, role, isLoading } = useProjectAccess();
  const why = isLoading || can("jobs:write") ? undefined : deniedReason(role, "jobs:write");
  const [deleting, setDeleting] = useState(false);
  const schedule = useQuery({ ...trpc.schedules.get.queryOptions({ id: scheduleId }), refetchInterval: 3000 });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey({ id: scheduleId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
  };
  const onError = (error: { message: string }) => toast.error(error.message);
  const pause = useMutation(trpc.schedules.pause.mutationOptions({ onSuccess: refresh, onError }));
  const resume = useMutation(trpc.schedules.resume.mutationOptions({ onSuccess: refresh, onError }));
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onSuccess: () => {
        toast.success("Run started");
        refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(trpc.schedules.delete.mutationOptions());

  if (schedule.isLoading) return <LoadingState />;
  if (schedule.error || !schedule.data)
    return <ErrorState message={schedule.error?.message ?? "Not found"} onRetry={() => void schedule.refetch()} />;
  const s = schedule.data;
  const busy = pause.isPending || resume.isPending || runNow.isPending;

  const columns: DataTableColumn<Run>[] = [
    {
      key: "for",
      header: "Fire time",
      cell: (r) => (
        <div>
          <div>{formatDateTimeSeconds(r.scheduledFor)}</div>
          <div className="text-muted-foreground text-xs">{formatInZone(r.scheduledFor, s.timezone)}</div>
        </div>
      ),
    },
    { key: "outcome", header: "Outcome", cell: (r) => <RunOutcome run={r} /> },
    {
      key: "job",
      header: "Job",
      cell: (r) =>
        r.jobId ? (
          <Link
            href={`/projects/${projectId}/jobs?job=${r.jobId}`}
            className="font-mono text-primary text-xs underline underline-offset-2"
          >
            {r.jobId.slice(0, 8)}
          </Link>
        ) : (
          "—"
        ),
    },
    { key: "reason", header: "Note", cell: (r) => <span className="text-xs">{r.reason ?? ""}</span> },
  ];

  const actions = (
    <div className="flex flex-wrap gap-2">
      <WithReason why={why}>
        <Button variant="secondary" disabled={!!why || busy} onClick={() => runNow.mutate({ id: s.id })}>
          <Zap className="size-4" aria-hidden /> Run now
        </Button>
      </WithReason>
      <WithReason why={why}>
        {s.paused ? (
          <Button variant="secondary" disabled={!!why || busy} onClick={() => resume.mutate({ id: s.id })}>
            <Play className="size-4" aria-hidden /> Resume
          </Button>
        ) : (
          <Button variant="secondary" disabled={!!why || busy} onClick={() => pause.mutate({ id: s.id })}>
            <Pause className="size-4" aria-hidden /> Pause
          </Button>
        )}
      </WithReason>
      <WithReason why={why}>
        <Button variant="danger" disabled={!!why} onClick={() => setDeleting(true)}>
          <Trash2 className="size-4" aria-hidden /> Delete
        </Button>
      </WithReason>
    </div>
  );

  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            {s.name}
            {s.paused && <Badge tone="warning">paused</Badge>}
          </span>
        }
        description={ACTION_LABELS[s.action]}
        breadcrumbs={[{ label: "Schedules", href: `/projects/${projectId}/schedules` }, { label: s.name }]}
        actions={actions}
      />
      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>When</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-2 text-sm">
            <p>
              {s.description} <span className="font-mono text-muted-foreground text-xs">({s.cron})</span>, in{" "}
              {s.timezone}
            </p>
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt className="text-muted-foreground">Next run</dt>
              <dd data-testid="next-run">
                {s.paused ? "paused" : `${formatDateTime(s.nextRunAt)} (your time)`}
                {!s.paused && (
                  <div className="text-muted-foreground text-xs">{formatInZone(s.nextRunAt, s.timezone)}</div>
                )}
              </dd>
              <dt className="text-muted-foreground">Then</dt>
              <dd>
                {s.upcoming
                  .slice(1, 4)
                  .map((d) => formatDateTime(d))
                  .join(" · ") || "—"}
              </dd>
              <dt className="text-muted-foreground">Overlap</dt>
              <dd>
                {s.concurrency}: {CONCURRENCY_HELP[s.concurrency].toLowerCase()}
              </dd>
              <dt className="text-muted-foreground">Catch-up</dt>
              <dd>
                {s.catchUp}: {CATCH_UP_HELP[s.catchUp].toLowerCase()}
              </dd>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Settings</CardTitle>
          </CardHeader>
          <CardContent>
            <pre className="overflow-x-auto rounded-md bg-muted p-3 font-mono text-xs">
              {JSON.stringify(s.config, null, 2)}
            </pre>
            <p className="mt-2 text-muted-foreground text-xs">Created by {s.createdByLabel}</p>
          </CardContent>
        </Card>
      </div>
      <h2 className="mt-2 font-medium text-base">History</h2>
      <DataTable
        caption="Runs"
        columns={columns}
        rowKey={(r) => r.id}
        rows={s.runs}
        empty={<p className="p-4 text-muted-foreground text-sm">No runs yet: the first starts at the next run time.</p>}
      />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${s.name}?`}
        description="The schedule and its run history go; the jobs it started stay on the Jobs page."
        confirmLabel="Delete schedule"
        tone="danger"
        onConfirm={async () => {
          try {
            await remove.mutateAsync({ id: s.id });
          } catch (error) {
            onError(error as Error);
            throw error;
          }
          toast.success(`Deleted ${s.name}`);
          void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
          router.push(`/projects/${projectId}/schedules`);
        }}
      />
    </>
  );
}
