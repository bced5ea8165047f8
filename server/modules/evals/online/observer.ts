// The gateway observer online evaluation installs (server/v1-extensions.ts): for each finished request, the
// project's enabled rules (cached, rule-cache.ts) decide by hash whether it is sampled; a sampled request's
// bodies are copied, capped, and buffered for an `eval.online` job. Nothing here awaits on the request's path.
import type { Db } from "@/server/db";
import type { GatewayObserver, ObservedBodies } from "@/server/modules/gateway/observers";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import { SampleBuffer, type SampleBufferOptions } from "./buffer";
import { onlineEvalJob } from "./job";
import { type OnlineRuleCache, onlineRuleCache } from "./rule-cache";
import { sampleBodies, toSample } from "./samples";
import { type ActiveRule, isSampled, matchesRule, SCORED_PATHS } from "./sampling";

export interface OnlineObserver {
  observe: GatewayObserver;
  buffer: SampleBuffer;
}

/** An observer over `rules` that buffers into a buffer of its own (tests give their own options). */
export function createOnlineObserver(
  db: () => Db,
  options: { rules?: OnlineRuleCache; buffer?: SampleBufferOptions } = {},
): OnlineObserver {
  const rules = options.rules ?? onlineRuleCache(db);
  const buffer = new SampleBuffer(async (projectId, samples) => {
    await enqueueJob(db(), onlineEvalJob, {
      projectId,
      payload: { samples },
      createdBy: { userId: null, label: "online evaluation" },
    });
  }, options.buffer);
  const take = (entry: RequestLogEntry, bodies: () => ObservedBodies, active: readonly ActiveRule[]) => {
    let copied: ReturnType<typeof sampleBodies> | undefined;
    for (const rule of active) {
      if (!isSampled(rule.id, entry.id, rule.sampleRate) || !matchesRule(rule, entry)) continue;
      copied ??= sampleBodies(bodies());
      if (!copied) return;
      buffer.push(entry.projectId, toSample(rule.id, entry, copied));
    }
  };
  const observe: GatewayObserver = (entry, bodies) => {
    if (entry.status !== 200 || !SCORED_PATHS.has(entry.path)) return;
    const active = rules.get(entry.projectId);
    if (Array.isArray(active)) {
      if (active.length > 0) take(entry, bodies, active);
      return;
    }
    // A project this process has not read yet: decide once its rules are in (the bodies are held until then).
    void (active as Promise<readonly ActiveRule[]>).then((loaded) => take(entry, bodies, loaded)).catch(() => {});
  };
  return { observe, buffer };
}

const globalForObserver = globalThis as unknown as { switchyardOnlineObserver?: OnlineObserver };

/** The process's observer (one buffer per process). */
export function processOnlineObserver(db: () => Db): OnlineObserver {
  globalForObserver.switchyardOnlineObserver ??= createOnlineObserver(db);
  return globalForObserver.switchyardOnlineObserver;
}
