import type { Caller } from "@/server/auth/caller";
import type { Db } from "@/server/db";

/** What a step implementation gets for one attempt. */
export interface StepContext {
  db: Db;
  projectId: string;
  /** The run's caller: the workflow as actor, with the scopes of whoever saved the version. */
  caller: Caller;
  runId: string;
  stepId: string;
  /** `with`, every `${{ }}` resolved. */
  with: Record<string, unknown>;
  /** Aborted on cancel, the step's timeout, or the worker's shutdown (`reasonOf(signal)` says which). */
  signal: AbortSignal;
  /** What an earlier attempt (or an earlier process) recorded: re-attach to its child instead of starting another. */
  previous: { outputs: Record<string, unknown> | null; jobId: string | null };
  /** Records a child (its id in outputs, its job) before waiting on it, so a resumed run re-attaches. */
  attach(outputs: Record<string, unknown>, childJobId?: string | null): Promise<void>;
  log(message: string, level?: "info" | "warn" | "error"): void;
}

export type StepRun = (ctx: StepContext) => Promise<Record<string, unknown>>;

/** A step that failed with outputs worth keeping (a gate's checks). */
export class StepFailed extends Error {
  constructor(
    message: string,
    readonly outputs: Record<string, unknown>,
    /** False when another attempt would fail the same way (a gate's verdict). */
    readonly retryable = true,
  ) {
    super(message);
    this.name = "StepFailed";
  }
}

export class StepTimeout extends Error {
  constructor(seconds: number) {
    super(`The step ran past its timeout (${seconds} s)`);
    this.name = "StepTimeout";
  }
}
