import { z } from "zod";

/** Every schedule action's job payload: which schedule, which fire time, and the action's settings. */
export function scheduledRun<C extends z.ZodType>(config: C) {
  return z.object({ scheduleId: z.string().uuid(), scheduledFor: z.string(), config });
}
