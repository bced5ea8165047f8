// The run's step rows, kept in memory and written through: the engine reads its own state from here, and every
// change is in the database before the engine acts on it (so a resumed run sees what this one saw).
import { stepLogLine } from "@/lib/workflows/api";
import type { Db } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";

export interface StepState {
  status: string;
  attempts: number;
  outputs: Record<string, unknown> | null;
  error: string | null;
  jobId: string | null;
  logs: { at: string; level: "info" | "warn" | "error"; message: string }[];
  startedAt: Date | null;
}

const MAX_LOG_LINES = 200;

export class StepStore {
  private constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly states: Map<string, StepState>,
  ) {}

  static async open(db: Db, runId: string, order: string[]): Promise<StepStore> {
    await db.workflowStepRun.createMany({ data: order.map((stepId) => ({ runId, stepId })), skipDuplicates: true });
    const rows = await db.workflowStepRun.findMany({ where: { runId } });
    const states = new Map<string, StepState>();
    for (const r of rows)
      states.set(r.stepId, {
        status: r.status,
        attempts: r.attempts,
        outputs: (r.outputs as Record<string, unknown> | null) ?? null,
        error: r.error,
        jobId: r.jobId,
        logs: stepLogLine.array().safeParse(r.logs).data ?? [],
        startedAt: r.startedAt,
      });
    return new StepStore(db, runId, states);
  }

  get(id: string): StepState {
    const state = this.states.get(id);
    if (!state) throw new Error(`No step '${id}' in run ${this.runId}`);
    return state;
  }

  summary(): string {
    return [...this.states].map(([id, s]) => `${id} ${s.status}`).join(", ");
  }

  async update(id: string, change: Partial<StepState> & { finishedAt?: Date | null }): Promise<void> {
    const state = this.get(id);
    const { finishedAt, ...rest } = change;
    Object.assign(state, rest);
    await this.db.workflowStepRun.update({
      where: { runId_stepId: { runId: this.runId, stepId: id } },
      data: {
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.attempts !== undefined ? { attempts: change.attempts } : {}),
        ...("outputs" in change ? { outputs: (change.outputs ?? Prisma.DbNull) as Prisma.InputJsonValue } : {}),
        ...("error" in change ? { error: change.error } : {}),
        ...("jobId" in change ? { jobId: change.jobId } : {}),
        ...("startedAt" in change ? { startedAt: change.startedAt } : {}),
        ...(finishedAt !== undefined ? { finishedAt } : {}),
        ...(change.logs ? { logs: change.logs } : {}),
      },
    });
  }

  /** Appends a log line (written with the next update, or now when `flush`). */
  log(id: string, message: string, level: "info" | "warn" | "error" = "info", flush = true): Promise<void> {
    const state = this.get(id);
    state.logs = [...state.logs, { at: new Date().toISOString(), level, message }].slice(-MAX_LOG_LINES);
    return flush ? this.update(id, { logs: state.logs }) : Promise.resolve();
  }

  async finish(
    id: string,
    status: "succeeded" | "failed" | "skipped" | "cancelled",
    extra: { outputs?: Record<string, unknown> | null; error?: string | null; log?: string } = {},
  ): Promise<void> {
    if (extra.log) await this.log(id, extra.log, status === "failed" ? "error" : "info", false);
    const { log: _, ...rest } = extra;
    await this.update(id, { status, ...rest, logs: this.get(id).logs, finishedAt: new Date() });
  }
}
