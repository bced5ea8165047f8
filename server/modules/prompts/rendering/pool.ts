/**
 * Template renders run here, off the event loop: a Piscina pool of worker threads, each with a heap limit,
 * admitted fairly per project (./fair-queue.ts). A render past its time limit stops itself inside the worker;
 * one that does not (a single slow step) is cut off at twice the limit by terminating its worker, which
 * Piscina replaces. A render that exhausts its heap ends its worker the same way. The server never stops.
 */
import Piscina from "piscina";
import { DomainError } from "@/server/errors";
import { describeError } from "@/server/repeated-log";
import { FairQueue } from "./fair-queue";
import { renderInline } from "./inline";
import { type RenderLimits, renderLimits } from "./limits";
import type { RenderTask, TaskResult, TaskValue } from "./task";
import { checkVariableBounds } from "./variable-limits";
import { buildRenderWorker } from "./worker-file";

interface RenderPool {
  piscina: Piscina<RenderTask, TaskResult>;
  admission: FairQueue;
  limits: RenderLimits;
}

// One pool per process, shared by every copy of this module (Next's server bundle and the gateway bundle).
const KEY = Symbol.for("switchyard.prompts.renderPool");
const holder = globalThis as unknown as Record<symbol, Promise<RenderPool> | undefined>;

async function createPool(): Promise<RenderPool> {
  const limits = renderLimits();
  // A plain path (not a file: URL), so Piscina require()s it (see ./worker-file.ts).
  const filename = await buildRenderWorker();
  const piscina = new Piscina<RenderTask, TaskResult>({
    filename,
    minThreads: 1,
    maxThreads: limits.workers,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
  });
  // A worker that dies with no task of its own (e.g. its heap runs out after its task was cut off at the time
  // limit) is an 'error' event on the pool: unheard, Node would throw it and stop the server. Piscina has
  // already replaced the worker, so a line in the log is all it needs.
  piscina.on("error", (error) => console.warn(`[templates] a render worker ended: ${describeError(error)}`));
  // A slot per worker thread; one project never holds them all (when there are two or more).
  const admission = new FairQueue(limits.workers, Math.max(1, limits.workers - 1), limits.queuePerProject);
  return { piscina, admission, limits };
}

function renderPool(): Promise<RenderPool> {
  holder[KEY] ??= createPool().catch((error) => {
    holder[KEY] = undefined;
    throw error;
  });
  return holder[KEY];
}

const TIMED_OUT = Symbol("render time limit");

function memoryLimitError(limits: RenderLimits): DomainError {
  const message = `Rendering needed more than ${limits.memoryMb} MB of memory (the memory limit)`;
  return new DomainError("UNPROCESSABLE", message, [{ path: "template", message }]);
}

function timeLimitError(limits: RenderLimits): DomainError {
  const message = `Rendering took more than ${limits.timeoutMs.toLocaleString("en-US")} ms (the time limit)`;
  return new DomainError("UNPROCESSABLE", message, [{ path: "template", message }]);
}

async function runOnPool(pool: RenderPool, task: RenderTask): Promise<TaskValue> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMED_OUT), pool.limits.timeoutMs * 2);
  let result: TaskResult;
  try {
    const limits = { maxOutputChars: pool.limits.maxOutputChars, maxMillis: pool.limits.timeoutMs };
    result = await pool.piscina.run({ ...task, limits }, { signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) throw timeLimitError(pool.limits);
    if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") throw memoryLimitError(pool.limits);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (!result.ok) throw new DomainError(result.error.code, result.error.message, result.error.issues);
  return result.value;
}

/**
 * Runs one template task in a worker, admitted fairly among `projectId`'s peers, or inline when it is a stored
 * prompt proven cheap (./inline.ts). Oversized `variables` are a VALIDATION error before anything is copied;
 * time, memory and output limits are UNPROCESSABLE.
 */
export async function runRenderTask(projectId: string, task: RenderTask): Promise<TaskValue> {
  if (task.kind !== "analyze") {
    const limits = renderLimits();
    const inline = renderInline(projectId, task, checkVariableBounds(task.variables, limits.variables), limits);
    if (inline) return inline;
  }
  const pool = await renderPool();
  return pool.admission.run(projectId, () => runOnPool(pool, task));
}
