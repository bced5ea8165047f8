import type { Db } from "@/server/db";
import { describeError, RepeatedLog } from "@/server/repeated-log";
import { tickSchedules } from "./tick";

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * The loop each worker process runs beside its job workers: a tick every SWITCHYARD_SCHEDULER_TICK_MS (default
 * 1000). Ticks never overlap within a process; across processes the row locks keep them apart. A failing tick
 * (the database is down) is reported once per interval and tried again on the next one.
 */
export function startScheduler(db: Db, tickMs = Number(process.env.SWITCHYARD_SCHEDULER_TICK_MS ?? 1000)): Scheduler {
  const said = new RepeatedLog();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  const loop = () => {
    current = tickSchedules(db, new Date())
      .catch((error) => said.report(`[switchyard] scheduler tick: ${describeError(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };
  timer = setTimeout(loop, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
