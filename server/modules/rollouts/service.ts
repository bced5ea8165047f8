// CONTRACT STUB: the rollouts work replaces these bodies.
import type { CreateRolloutInput } from "@/lib/rollouts/schemas";
import type { Db } from "@/server/db";

export interface RolloutDeps {
  db: Db;
  projectId: string;
  actor: { userId: string | null; label: string };
}

/** Starts a rollout (the label's current version is the stable arm); 409 when one is live on the label. */
export async function createRollout(_deps: RolloutDeps, _input: CreateRolloutInput): Promise<{ id: string }> {
  throw new Error("createRollout: not implemented yet");
}
