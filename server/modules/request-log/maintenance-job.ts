// Partition maintenance and retention as a system job: hourly and at start (server/job-kinds.ts SYSTEM_JOBS),
// one run at a time across every process, one per hour however many processes start.
import { z } from "zod";
import { sqlPool } from "@/server/db";
import { defineJobKind } from "@/server/modules/jobs/kinds";
import { maintainPartitions } from "./maintenance";

export const requestLogMaintenanceJob = defineJobKind({
  kind: "maintenance.request_log",
  payload: z.object({}),
  perProject: 1,
  perProcess: 1,
  maxAttempts: 3,
  // Dropping a day's partition waits for its lock behind the writer's statements: minutes at worst.
  timeoutSeconds: 900,
  retryDelaySeconds: 60,
  async run(ctx) {
    const result = await maintainPartitions({ pool: sqlPool(ctx.db) });
    ctx.log(
      `partitions created: ${result.created.join(", ") || "none"}; dropped past the retention: ${result.dropped.join(", ") || "none"}`,
    );
    return result;
  },
});
