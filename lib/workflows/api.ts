// The workflows API's schemas (browser-safe: the tRPC router, REST and the console share them).
import { z } from "zod";

const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const STEP_STATUSES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export const FINAL_RUN_STATUSES: readonly string[] = ["succeeded", "failed", "cancelled"];

export const sourceInput = z.object({ source: z.string().max(200_000) });

const workflowErrorOut = z.object({
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
  path: z.string().optional(),
});

export const validateOut = z.object({
  valid: z.boolean(),
  errors: z.array(workflowErrorOut),
  /** Step ids and what each needs, for drawing the graph before a run. */
  steps: z.array(z.object({ id: z.string(), uses: z.string(), needs: z.array(z.string()) })),
});

export const saveInput = z.object({
  source: z.string().min(1, "The document is empty").max(200_000),
  /** When saving over an existing workflow: the document's name must stay its name. */
  workflowId: z.uuid().optional(),
});

export const workflowIdInput = z.object({ id: z.uuid() });

const versionOut = z.object({
  id: z.string(),
  version: z.number().int(),
  source: z.string(),
  createdByLabel: z.string(),
  createdAt: z.date(),
});

export const workflowOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  latestVersion: z.number().int(),
  /** Trigger types of the latest version (manual, schedule, new_version, label_moved). */
  triggers: z.array(z.string()),
  lastRun: z.object({ id: z.string(), status: z.string(), createdAt: z.date() }).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const workflowDetailOut = workflowOut.extend({
  versions: z.array(versionOut),
  /** The latest version's inputs, for the run form. */
  inputs: z.record(
    z.string(),
    z.object({
      type: z.enum(["string", "number", "boolean"]),
      description: z.string().optional(),
      required: z.boolean(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    }),
  ),
});

export const saveOut = z.object({ workflow: workflowOut, version: versionOut, created: z.boolean() });

export const runInput = z.object({
  workflowId: z.uuid(),
  /** A version number; the latest when absent. */
  version: z.number().int().positive().optional(),
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export const runIdInput = z.object({ id: z.uuid() });

export const listRunsInput = z.object({
  workflowId: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const runOut = z.object({
  id: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  version: z.number().int(),
  status: z.enum(RUN_STATUSES),
  trigger: z.record(z.string(), z.unknown()),
  inputs: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  jobId: z.string().nullable(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

export const stepLogLine = z.object({ at: z.string(), level: z.enum(["info", "warn", "error"]), message: z.string() });

const stepRunOut = z.object({
  stepId: z.string(),
  uses: z.string(),
  needs: z.array(z.string()),
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  logs: z.array(stepLogLine),
  jobId: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

export const runDetailOut = runOut.extend({
  outputs: z.record(z.string(), z.unknown()).nullable(),
  steps: z.array(stepRunOut),
  source: z.string(),
});
