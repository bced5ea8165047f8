// What one tick does with one due schedule, decided without I/O: which fire times run, which are recorded as
// missed, and the next fire time. The tick (tick.ts) applies it under the schedule's row lock.
import { readCron } from "@/lib/schedules";

/** A fire time older than this when the tick sees it was missed (nothing was running then), not merely late. */
export const MISSED_AFTER_MS = Number(process.env.SWITCHYARD_SCHEDULER_MISSED_AFTER_MS ?? 60_000);
/** Catch-up `all` runs at most this many missed fire times, and at most this many are recorded as missed. */
export const MAX_CATCH_UP = 100;

export interface DueSchedule {
  cron: string;
  timezone: string;
  catchUp: string;
  /** The first fire time not handled yet (≤ now when the schedule is due). */
  nextRunAt: Date;
}

export interface FirePlan {
  /** Fire times to start, oldest first. */
  run: Date[];
  /** Fire times to record as missed, oldest first. */
  missed: Date[];
  /** Due fire times older than the newest MAX_CATCH_UP + 1: neither run nor recorded. */
  dropped: boolean;
  nextRunAt: Date | null;
}

/** The next fire time strictly after `after`. */
export function nextFireAfter(cron: string, timezone: string, after: Date): Date | null {
  return readCron(cron, timezone).nextRun(after);
}

/** The next `count` fire times strictly after `after`. */
export function upcomingFires(cron: string, timezone: string, after: Date, count: number): Date[] {
  return readCron(cron, timezone).nextRuns(count, after);
}

/** Fire times in [from, to], newest `limit` of them, oldest first; `more` when older ones were left out. */
export function fireTimesBetween(cron: string, timezone: string, from: Date, to: Date, limit: number) {
  const reader = readCron(cron, timezone);
  // previousRuns counts back from whole seconds strictly before its reference: one second past `to` includes it.
  const newestFirst = reader
    .previousRuns(limit + 1, new Date(Math.floor(to.getTime() / 1000) * 1000 + 1000))
    .filter((t) => t.getTime() >= from.getTime() && t.getTime() <= to.getTime());
  const more = newestFirst.length > limit;
  return { times: newestFirst.slice(0, limit).reverse(), more };
}

export function planFires(schedule: DueSchedule, now: Date, missedAfterMs = MISSED_AFTER_MS): FirePlan {
  const { times, more } = fireTimesBetween(schedule.cron, schedule.timezone, schedule.nextRunAt, now, MAX_CATCH_UP + 1);
  const nextRunAt = nextFireAfter(schedule.cron, schedule.timezone, now);
  const onTime = times.filter((t) => now.getTime() - t.getTime() <= missedAfterMs);
  const late = times.filter((t) => now.getTime() - t.getTime() > missedAfterMs);
  const lastN = (list: Date[]) => list.slice(Math.max(0, list.length - MAX_CATCH_UP));
  switch (schedule.catchUp) {
    case "all":
      return { run: [...lastN(late), ...onTime], missed: [], dropped: more || late.length > MAX_CATCH_UP, nextRunAt };
    case "latest": {
      if (onTime.length > 0 || late.length === 0)
        return { run: onTime, missed: lastN(late), dropped: more || late.length > MAX_CATCH_UP, nextRunAt };
      const newest = late[late.length - 1];
      const rest = late.slice(0, -1);
      return { run: [newest], missed: lastN(rest), dropped: more || rest.length > MAX_CATCH_UP, nextRunAt };
    }
    default:
      return { run: onTime, missed: lastN(late), dropped: more || late.length > MAX_CATCH_UP, nextRunAt };
  }
}
