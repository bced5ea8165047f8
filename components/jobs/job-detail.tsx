"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import type { ReactNode } from "react";
import { formatDateTimeSeconds } from "@/components/format";
import { JobActions } from "@/components/jobs/job-actions";
import { ACTIVE_JOB_STATES, JobProgress, JobStateBadge, JobSubject } from "@/components/jobs/job-parts";
import { useTRPC } from "@/components/providers/trpc";
import { cn, ErrorState, LoadingState } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";

const LEVEL_CLASS = { info: "text-muted-foreground", warn: "text-warning", error: "text-danger" } as const;

/** One job: its facts, its log (oldest first, as written), its payload, result and checkpoint, and its actions. */
export function JobDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const job = useQuery({
    ...trpc.jobs.get.queryOptions({ id }),
    refetchInterval: (q) => (q.state.data && ACTIVE_JOB_STATES.includes(q.state.data.state) ? 2_000 : false),
  });
  if (job.isLoading) return <LoadingState label="Loading job…" />;
  if (job.error || !job.data) return <ErrorState message={job.error?.message ?? "Not found"} />;
  const j = job.data;
  const facts: [string, ReactNode][] = [
    [
      "Kind",
      <span key="k" className="font-medium">
        {j.kind}
      </span>,
    ],
    ["State", <JobStateBadge key="s" state={j.state} />],
    ["Subject", <JobSubject key="t" projectId={projectId} job={j} />],
    ["Progress", <JobProgress key="p" job={j} />],
    ["Attempts", `${j.attempts} of ${j.maxAttempts}`],
    [
      "Worker",
      <span key="w" className="font-mono text-xs">
        {j.worker ?? "—"}
      </span>,
    ],
    ["Created", `${formatDateTimeSeconds(j.createdAt)} by ${j.createdByLabel}`],
    ["Started", formatDateTimeSeconds(j.startedAt)],
    ["Finished", formatDateTimeSeconds(j.finishedAt)],
    [
      "Id",
      <code key="i" className="font-mono text-xs break-all">
        {j.id}
      </code>,
    ],
  ];
  return (
    <div className="flex min-w-0 flex-col gap-4">
      <JobActions id={j.id} state={j.state} />
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
        {facts.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-muted-foreground">{term}</dt>
            <dd className="min-w-0">{value}</dd>
          </div>
        ))}
      </dl>
      {j.lastError && (
        <p className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-danger text-sm break-words">
          {j.lastError}
        </p>
      )}
      <section aria-label="Log" className="flex flex-col gap-1.5">
        <h3 className="font-medium text-sm">Log</h3>
        {j.logs.length === 0 ? (
          <p className="text-muted-foreground text-sm">Nothing logged yet.</p>
        ) : (
          <ScrollBox
            label="Log lines (scrolls sideways)"
            className="max-h-72 overflow-y-auto rounded-md border border-border bg-subtle/60"
          >
            <ol className="p-2 font-mono text-xs">
              {j.logs.map((line, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: log lines are positional and never reorder
                <li key={i} className="flex gap-3 whitespace-pre">
                  <time className="text-muted-foreground">{formatDateTimeSeconds(line.at)}</time>
                  <span className={cn("w-10 shrink-0 uppercase", LEVEL_CLASS[line.level])}>{line.level}</span>
                  <span>{line.message}</span>
                </li>
              ))}
            </ol>
          </ScrollBox>
        )}
      </section>
      <JsonBlock title="Payload" value={j.payload} />
      <JsonBlock title="Result" value={j.result} />
      <JsonBlock title="Checkpoint" value={j.checkpoint} />
    </div>
  );
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  return (
    <section aria-label={title} className="flex flex-col gap-1.5">
      <h3 className="font-medium text-sm">{title}</h3>
      {value === null || value === undefined ? (
        <p className="text-muted-foreground text-sm">None.</p>
      ) : (
        <ScrollBox
          label={`${title} JSON (scrolls sideways)`}
          className="max-h-64 overflow-y-auto rounded-md border border-border bg-subtle/60"
        >
          <pre className="p-2 font-mono text-xs">{JSON.stringify(value, null, 2)}</pre>
        </ScrollBox>
      )}
    </section>
  );
}
