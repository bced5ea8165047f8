"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Cog } from "lucide-react";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { formatDateTimeSeconds } from "@/components/format";
import { BackgroundTabs } from "@/components/jobs/background-tabs";
import { JobDetail } from "@/components/jobs/job-detail";
import { ACTIVE_JOB_STATES, JobProgress, JobStateBadge, JobSubject } from "@/components/jobs/job-parts";
import { useTRPC } from "@/components/providers/trpc";
import {
  Button,
  DataTable,
  type DataTableColumn,
  Dialog,
  EmptyState,
  Input,
  PageHeader,
  Select,
} from "@/components/ui";
import { JOB_STATES, type JobOut, type JobStateName } from "@/lib/jobs";

/** How often a list with running work asks again. */
const REFRESH_MS = 2_000;

/**
 * Every job of the project, newest first. The filters (`?state=`, `?kind=`) and the open job (`?job=`) live in
 * the URL, so a link shows the same view; the list refreshes itself while anything on it is still going.
 */
export function JobsPage() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const stateParam = params.get("state");
  const state = JOB_STATES.includes(stateParam as JobStateName) ? (stateParam as JobStateName) : undefined;
  const kind = params.get("kind")?.trim().slice(0, 100) || undefined;
  const openId = params.get("job");
  const [kindDraft, setKindDraft] = useState(kind ?? "");

  const setParams = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    const qs = next.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  const pages = useInfiniteQuery({
    ...trpc.jobs.list.infiniteQueryOptions(
      { state, kind, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((j) => ACTIVE_JOB_STATES.includes(j.state))) ? REFRESH_MS : false,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items);
  const kinds = [...new Set(rows?.map((j) => j.kind))].sort();
  const filtered = !!(state || kind);

  const columns: DataTableColumn<JobOut>[] = [
    {
      key: "kind",
      header: "Kind",
      cell: (j) => (
        <Link
          href={`?${withJob(params, j.id)}`}
          scroll={false}
          className="font-medium whitespace-nowrap hover:underline"
        >
          {j.kind}
        </Link>
      ),
    },
    { key: "state", header: "State", cell: (j) => <JobStateBadge state={j.state} /> },
    { key: "progress", header: "Progress", className: "w-48", cell: (j) => <JobProgress job={j} /> },
    { key: "subject", header: "Subject", cell: (j) => <JobSubject projectId={projectId} job={j} /> },
    {
      key: "attempts",
      header: "Attempts",
      className: "whitespace-nowrap tabular-nums",
      cell: (j) => `${j.attempts} of ${j.maxAttempts}`,
    },
    {
      key: "times",
      header: "Created / started / finished",
      cell: (j) => (
        <dl className="grid grid-cols-[auto_auto] gap-x-2 text-xs whitespace-nowrap">
          <dt className="text-muted-foreground">created</dt>
          <dd>{formatDateTimeSeconds(j.createdAt)}</dd>
          <dt className="text-muted-foreground">started</dt>
          <dd>{formatDateTimeSeconds(j.startedAt)}</dd>
          <dt className="text-muted-foreground">finished</dt>
          <dd>{formatDateTimeSeconds(j.finishedAt)}</dd>
        </dl>
      ),
    },
    {
      key: "worker",
      header: "Worker",
      cell: (j) => <span className="font-mono text-xs whitespace-nowrap">{j.worker ?? "—"}</span>,
    },
    {
      key: "error",
      header: "Last error",
      cell: (j) =>
        j.lastError ? (
          <span className="line-clamp-2 max-w-72 text-danger" title={j.lastError}>
            {j.lastError}
          </span>
        ) : (
          "—"
        ),
    },
    {
      key: "open",
      header: <span className="sr-only">Details</span>,
      className: "w-20 text-right",
      cell: (j) => (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => setParams({ job: j.id })}
          aria-label={`Details of ${j.kind} job`}
        >
          Details
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Jobs"
        description="Background work of this project: batches, schedule runs, dataset transforms, fine-tuning dispatch. Jobs survive restarts, retry with backoff and resume from their last checkpoint."
      />
      <BackgroundTabs value="jobs" />
      <DataTable
        caption="Jobs"
        // No rows: one column, so the empty state is as wide as the box (not the wide table) on a phone.
        columns={rows?.length === 0 ? [emptyColumn] : columns}
        rows={rows}
        rowKey={(j) => j.id}
        loading={pages.isLoading}
        error={pages.error}
        onRetry={() => void pages.refetch()}
        toolbar={
          <form
            className="flex w-full flex-wrap items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setParams({ kind: kindDraft.trim() || undefined, job: undefined });
            }}
          >
            <Select
              aria-label="State"
              className="w-40"
              value={state ?? ""}
              onChange={(e) => setParams({ state: e.target.value || undefined, job: undefined })}
            >
              <option value="">Any state</option>
              {JOB_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
            <Input
              aria-label="Kind"
              className="w-56"
              placeholder="Kind, e.g. batch"
              list="job-kinds"
              value={kindDraft}
              onChange={(e) => setKindDraft(e.target.value)}
            />
            <datalist id="job-kinds">
              {kinds.map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
            <Button type="submit" variant="secondary">
              Filter
            </Button>
            {filtered && (
              <Button
                type="button"
                variant="ghost"
                onClick={() => {
                  setKindDraft("");
                  setParams({ state: undefined, kind: undefined });
                }}
              >
                Clear filters
              </Button>
            )}
          </form>
        }
        empty={
          filtered ? (
            <EmptyState icon={Cog} title="No jobs match" description="Another state or kind may have some." />
          ) : (
            <EmptyState
              icon={Cog}
              title="No jobs yet"
              description="A job is background work that outlives a request: a batch sent to /v1/batches, a schedule's run, a dataset transform on a large version, a fine-tuning dispatch. Jobs start when you or an API client begin such work; the workers of npm start (or npm run worker) run them."
            />
          )
        }
      />
      {pages.hasNextPage && (
        <Button
          variant="secondary"
          className="self-center"
          loading={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          Load older jobs
        </Button>
      )}
      <Dialog
        open={!!openId}
        onOpenChange={(o) => !o && setParams({ job: undefined })}
        title="Job"
        className="max-w-3xl"
      >
        {openId && <JobDetail id={openId} />}
      </Dialog>
    </>
  );
}

/** The current query string with `job` set: a link that opens one job and keeps the filters. */
function withJob(params: { toString(): string }, id: string): string {
  const next = new URLSearchParams(params.toString());
  next.set("job", id);
  return next.toString();
}

const emptyColumn: DataTableColumn<unknown> = {
  key: "empty",
  header: <span className="sr-only">Jobs</span>,
  cell: () => null,
};
