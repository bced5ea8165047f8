"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { ACTIVE_JOB_STATES, JobProgress, JobStateBadge } from "@/components/jobs/job-parts";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";

/**
 * The jobs working on one thing (a dataset version, a fine-tuning job, a batch), newest first, each linked to
 * its detail on the Jobs page. Renders nothing (a dash when compact) when there are none, as most things never
 * had a job, or when the caller may not read jobs. Refreshes itself while one is still going.
 */
export function SubjectJobs({
  subjectType,
  subjectId,
  limit = 5,
  compact = false,
}: {
  subjectType: string;
  subjectId: string;
  limit?: number;
  /** One line, for a table cell. */
  compact?: boolean;
}) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const jobs = useQuery({
    ...trpc.jobs.list.queryOptions({ subjectType, subjectId, limit }),
    enabled: can("jobs:read"),
    refetchInterval: (q) => (q.state.data?.items.some((j) => ACTIVE_JOB_STATES.includes(j.state)) ? 3_000 : false),
  });
  const items = jobs.data?.items ?? [];
  if (items.length === 0) return compact ? <span className="text-muted-foreground">—</span> : null;
  const href = (id: string) => `/projects/${projectId}/jobs?job=${id}`;
  if (compact) {
    const j = items[0];
    return (
      <Link
        href={href(j.id)}
        className="inline-flex items-center gap-2 hover:underline"
        aria-label={`Job ${j.kind}: ${j.state}`}
      >
        <JobStateBadge state={j.state} />
        <span className="text-muted-foreground text-xs">{j.kind}</span>
      </Link>
    );
  }
  return (
    <section aria-label="Jobs" className="flex flex-col gap-2">
      <h3 className="font-medium text-sm">Jobs</h3>
      <ul className="flex flex-col divide-y divide-border rounded-md border border-border">
        {items.map((j) => (
          <li key={j.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
            <Link href={href(j.id)} className="font-medium hover:underline">
              {j.kind}
            </Link>
            <JobStateBadge state={j.state} />
            <div className="min-w-40 flex-1">
              <JobProgress job={j} />
            </div>
            <span className="text-muted-foreground text-xs">{formatRelative(j.createdAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
