// What one tick does with one due schedule, decided without I/O: which fire times run, which are recorded as
// missed, and the next fire time. The tick (tick.ts) applies it under the schedule's row lock.
import { readCron } from "@/lib/schedules";

/** A fire time older than this when the tick sees it was missed (nothing was running then), not merely late. */
const MISSED_AFTER_MS = Number(process.env.SWITCHYARD_SCHEDULER_MISSED_AFTER_MS ?? 60_000);
/** Catch-up `all` runs at most this many missed fire times, and at most this many are recorded as missed. */
const MAX_CATCH_UP = 100;
/** Fire times within the last minute that one tick starts at most (a once-a-second cron has 61). */
const MAX_ON_TIME = 1000;

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
  // Counts back one fire time at a time from `to`, stopping at `from`: cost follows what is due, not the limit.
  // previousRuns looks strictly before whole seconds, so one second past `to` includes `to` itself.
  const newestFirst: Date[] = [];
  let reference = new Date(Math.floor(to.getTime() / 1000) * 1000 + 1000);
  while (newestFirst.length <= limit) {
    const [time] = reader.previousRuns(1, reference);
    if (!time || time.getTime() < from.getTime()) break;
    if (time.getTime() <= to.getTime()) newestFirst.push(time);
    reference = time;
  }
  const more = newestFirst.length > limit;
  return { times: newestFirst.slice(0, limit).reverse(), more };
}

export function planFires(schedule: DueSchedule, now: Date, missedAfterMs = MISSED_AFTER_MS): FirePlan {
  const { cron, timezone, nextRunAt: from } = schedule;
  // Whole seconds: a fire time is late once it is more than missedAfterMs old.
  const lateUntil = new Date(now.getTime() - missedAfterMs - 1);
  const late = fireTimesBetween(cron, timezone, from, lateUntil, MAX_CATCH_UP);
  const onTimeFrom = new Date(Math.max(from.getTime(), lateUntil.getTime() + 1));
  const onTime = fireTimesBetween(cron, timezone, onTimeFrom, now, MAX_ON_TIME).times;
  const nextRunAt = nextFireAfter(cron, timezone, now);
  const dropped = late.more;
  if (schedule.catchUp === "all") return { run: [...late.times, ...onTime], missed: [], dropped, nextRunAt };
  if (schedule.catchUp === "latest" && onTime.length === 0 && late.times.length > 0)
    return { run: late.times.slice(-1), missed: late.times.slice(0, -1), dropped, nextRunAt };
  return { run: onTime, missed: late.times, dropped, nextRunAt };
}
