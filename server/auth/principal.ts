import type { Scope } from "@/lib/scopes";

/** UTC calendar periods a key's budget resets on: day, ISO week (from Monday), month. */
export const BUDGET_PERIODS = ["day", "week", "month"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** What the gateway enforces for a key (null fields = no limit); travels with the key's principal. */
export interface KeyLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  /** Both set or both null. */
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod | null;
}

/** Who is calling: a signed-in user, or an API key bound to one project. */
export type Principal =
  | { kind: "user"; userId: string; email: string; name: string }
  | {
      kind: "apiKey";
      /** null for the SWITCHYARD_ADMIN_API_KEY from the environment. */
      keyId: string | null;
      projectId: string;
      scopes: readonly Scope[];
      label: string;
      /** null or absent: no limits, and the gateway pays nothing to check them. */
      limits?: KeyLimits | null;
      /** When the key stops working (epoch ms); null or absent: never. Caches must not serve it past this. */
      expiresAt?: number | null;
    };

/** The audit-log view of a principal. */
export interface Actor {
  type: "user" | "api_key" | "system";
  userId: string | null;
  keyId: string | null;
  label: string;
}

export function actorOf(principal: Principal | null): Actor {
  if (!principal) return { type: "system", userId: null, keyId: null, label: "system" };
  if (principal.kind === "user") return { type: "user", userId: principal.userId, keyId: null, label: principal.email };
  return { type: "api_key", userId: null, keyId: principal.keyId, label: principal.label };
}

export const SYSTEM_ACTOR: Actor = actorOf(null);
