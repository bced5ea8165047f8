import { Cron } from "croner";
import { z } from "zod";
import { JOB_STATES } from "@/lib/jobs";

/** Schedules (server/modules/schedules): the API's and the console form's schemas. Browser-safe. */

export const CONCURRENCY_POLICIES = ["allow", "forbid", "replace"] as const;
export const CATCH_UP_POLICIES = ["none", "latest", "all"] as const;
export const SCHEDULE_ACTIONS = ["prompt_over_dataset", "sleep"] as const;
export const RUN_OUTCOMES = ["started", "skipped", "missed", "failed"] as const;

export const CONCURRENCY_HELP: Record<(typeof CONCURRENCY_POLICIES)[number], string> = {
  allow: "Start the new run beside the one still going",
  forbid: "Skip the new run while the previous one is still going",
  replace: "Cancel the run still going, then start the new one",
};
export const CATCH_UP_HELP: Record<(typeof CATCH_UP_POLICIES)[number], string> = {
  none: "Runs missed while nothing was running are skipped",
  latest: "Of the runs missed, only the newest runs",
  all: "Every missed run runs (at most 100)",
};
export const ACTION_LABELS: Record<(typeof SCHEDULE_ACTIONS)[number], string> = {
  prompt_over_dataset: "Run a prompt over a dataset version",
  sleep: "Wait (a test and ops action)",
};

/** Reads a cron expression the way the scheduler does: 5 fields, or 6 with seconds first. Throws with croner's reason. */
export function readCron(cron: string, timezone = "UTC"): Cron {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6)
    throw new Error(
      `A cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first; this one has ${fields.length}`,
    );
  return new Cron(fields.join(" "), { timezone, paused: true, mode: "5-or-6-parts" });
}

function cronProblem(cron: string): string | null {
  try {
    readCron(cron);
    return null;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  }
}

/** An IANA zone name (Europe/Berlin, America/New_York, UTC) that this runtime knows. */
function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const cronField = z
  .string()
  .trim()
  .min(1, "A cron expression is required")
  .max(200)
  .superRefine((cron, ctx) => {
    const problem = cron ? cronProblem(cron) : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const timezoneField = z
  .string()
  .trim()
  .min(1, "A time zone is required")
  .max(64)
  .refine(isTimeZone, { message: "Not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)" });

export const sleepConfig = z.object({ seconds: z.number().int().min(0).max(3600).default(0) });

export const promptOverDatasetConfig = z.object({
  prompt: z.string().trim().min(1, "Name the prompt").max(200),
  label: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^@:\s]+$/, "A label has no spaces, @ or :")
    .default("production"),
  datasetVersionId: z.string().uuid("Pick a dataset version"),
  output: z.enum(["dataset_version", "file"]).default("dataset_version"),
});

/** Each action's settings, by action name. */
export const ACTION_CONFIGS = { sleep: sleepConfig, prompt_over_dataset: promptOverDatasetConfig } as const;

const baseFields = {
  name: z.string().trim().min(1, "A name is required").max(100),
  cron: cronField,
  timezone: timezoneField,
  concurrency: z.enum(CONCURRENCY_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
};

/** Checks `config` against its action's schema, naming the field as `config.<field>`. */
function checkConfig(value: { action?: string; config?: unknown }, ctx: z.RefinementCtx) {
  if (value.action === undefined || value.config === undefined) return;
  const schema = ACTION_CONFIGS[value.action as keyof typeof ACTION_CONFIGS];
  const parsed = schema.safeParse(value.config);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", message: issue.message, path: ["config", ...issue.path.map(String)] });
}

export const createScheduleInput = z
  .object({
    ...baseFields,
    timezone: timezoneField.default("UTC"),
    concurrency: baseFields.concurrency.default("forbid"),
    catchUp: baseFields.catchUp.default("latest"),
    action: z.enum(SCHEDULE_ACTIONS),
    config: z.record(z.string(), z.unknown()).default({}),
    paused: z.boolean().default(false),
  })
  .superRefine(checkConfig);

/** Fields left out stay as they are; `config` replaces the whole config of the schedule's action. */
export const updateScheduleInput = z.object({
  id: z.string().uuid(),
  name: baseFields.name.optional(),
  cron: cronField.optional(),
  timezone: timezoneField.optional(),
  concurrency: baseFields.concurrency.optional(),
  catchUp: baseFields.catchUp.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export const scheduleIdInput = z.object({ id: z.string().uuid() });
export const listSchedulesInput = z.object({ paused: z.boolean().optional() });

export const scheduleRunOut = z.object({
  id: z.string(),
  scheduledFor: z.date(),
  outcome: z.enum(RUN_OUTCOMES),
  reason: z.string().nullable(),
  jobId: z.string().nullable(),
  jobState: z.enum(JOB_STATES).nullable(),
  createdAt: z.date(),
});
export type ScheduleRunOut = z.infer<typeof scheduleRunOut>;

export const scheduleOut = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  description: z.string(),
  concurrency: z.enum(CONCURRENCY_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
  action: z.enum(SCHEDULE_ACTIONS),
  config: z.record(z.string(), z.unknown()),
  paused: z.boolean(),
  nextRunAt: z.date().nullable(),
  lastRunAt: z.date().nullable(),
  lastRun: scheduleRunOut.nullable(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ScheduleOut = z.infer<typeof scheduleOut>;

export const listSchedulesOut = z.object({ items: z.array(scheduleOut) });

export const scheduleDetailOut = scheduleOut.extend({
  /** The next few fire times (none while paused). */
  upcoming: z.array(z.date()),
  /** The newest runs first. */
  runs: z.array(scheduleRunOut),
});
