"use client";

import Link from "next/link";
import { Badge, type BadgeTone, ProgressBar } from "@/components/ui";
import type { JobOut, JobStateName } from "@/lib/jobs";

const STATE_TONE: Record<JobStateName, BadgeTone> = {
  queued: "neutral",
  running: "info",
  retrying: "warning",
  succeeded: "success",
  failed: "danger",
  cancelling: "warning",
  cancelled: "neutral",
};

/** States in which a job still changes: lists showing one refresh themselves. */
export const ACTIVE_JOB_STATES: readonly JobStateName[] = ["queued", "running", "retrying", "cancelling"];

export function JobStateBadge({ state }: { state: JobStateName }) {
  return (
    <Badge tone={STATE_TONE[state]} dot>
      {state}
    </Badge>
  );
}

/** The bar and the numbers behind it ("120 / 500"); without a total, the count alone. */
export function JobProgress({ job }: { job: Pick<JobOut, "progressDone" | "progressTotal" | "state"> }) {
  const { progressDone: done, progressTotal: total } = job;
  const nf = (n: number) => n.toLocaleString("en-US");
  if (!total)
    return <span className="text-muted-foreground text-xs tabular-nums">{done ? `${nf(done)} done` : "—"}</span>;
  const tone = job.state === "failed" ? "danger" : job.state === "succeeded" ? "success" : "primary";
  return (
    <div className="flex min-w-32 items-center gap-2">
      <ProgressBar className="flex-1" value={(done / total) * 100} tone={tone} />
      <span className="text-muted-foreground text-xs whitespace-nowrap tabular-nums">
        {nf(done)} / {nf(total)}
      </span>
    </div>
  );
}

/** The console page of the thing a job works on, where there is one. */
function subjectHref(projectId: string, subjectType: string | null, subjectId: string | null): string | null {
  if (!subjectType || !subjectId) return null;
  const base = `/projects/${projectId}`;
  if (subjectType === "batch") return `${base}/batches?batch=${encodeURIComponent(subjectId)}`;
  if (subjectType === "fine_tune_job") return `${base}/datasets/fine-tuning`;
  if (subjectType === "schedule") return `${base}/schedules/${encodeURIComponent(subjectId)}`;
  return null;
}

/** "batch batch_abc…" linked to its page, or plain text where there is none. */
export function JobSubject({ projectId, job }: { projectId: string; job: Pick<JobOut, "subjectType" | "subjectId"> }) {
  if (!job.subjectType) return <span className="text-muted-foreground">—</span>;
  const href = subjectHref(projectId, job.subjectType, job.subjectId);
  const text = (
    <>
      <span className="text-muted-foreground">{job.subjectType.replaceAll("_", " ")}</span>{" "}
      <code className="font-mono text-xs" title={job.subjectId ?? undefined}>
        {shortId(job.subjectId)}
      </code>
    </>
  );
  return href ? (
    <Link href={href} className="whitespace-nowrap hover:underline">
      {text}
    </Link>
  ) : (
    <span className="whitespace-nowrap">{text}</span>
  );
}

/** Ids as a table can hold them: OpenAI-style ids (batch_…, 30 characters) whole, UUIDs by their first 8. */
const shortId = (id: string | null) => (!id ? "" : id.length > 30 ? `${id.slice(0, 8)}…` : id);
