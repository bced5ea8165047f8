import { Badge, type BadgeTone } from "@/components/ui";
import type { JobStateName } from "@/lib/jobs";
import type { ScheduleRunOut } from "@/lib/schedules";

/** A time in the schedule's own zone, with the zone: "6 Dec 2026, 09:00 (America/New_York)". */
export function formatInZone(value: Date | null, timezone: string): string {
  if (!value) return "—";
  const text = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(
    value,
  );
  return `${text} (${timezone})`;
}

const OUTCOME_TONES: Record<ScheduleRunOut["outcome"], BadgeTone> = {
  started: "info",
  skipped: "warning",
  missed: "neutral",
  failed: "danger",
};
const JOB_TONES: Partial<Record<JobStateName, BadgeTone>> = {
  succeeded: "success",
  failed: "danger",
  cancelled: "neutral",
  running: "info",
};

/** A run's outcome; a started run shows its job's state instead (queued, running, succeeded, ...). */
export function RunOutcome({ run }: { run: Pick<ScheduleRunOut, "outcome" | "jobState" | "reason"> }) {
  if (run.outcome === "started" && run.jobState)
    return (
      <Badge tone={JOB_TONES[run.jobState] ?? "info"} dot>
        {run.jobState}
      </Badge>
    );
  return (
    <Badge tone={OUTCOME_TONES[run.outcome]} title={run.reason ?? undefined}>
      {run.outcome}
    </Badge>
  );
}
