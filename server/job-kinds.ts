// Every kind of background work, listed once: the workers run these, and a
// manual retry finds its kind here. A module defines its kind; only this file
// gathers them (so the jobs module never imports the modules it runs).
import { batchKind } from "@/server/modules/batches/executor";
import type { JobKind } from "@/server/modules/jobs/kinds";
import { ACTION_KINDS } from "@/server/modules/schedules/actions";

export const JOB_KINDS: readonly JobKind<never>[] = [
  batchKind as JobKind<never>,
  ...(Object.values(ACTION_KINDS) as JobKind<never>[]),
];
