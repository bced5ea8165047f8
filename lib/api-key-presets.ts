import { isScope, SCOPES, type Scope } from "@/lib/scopes";

/**
 * What a new API key is for, as the create-key dialog offers it: each purpose names the scopes it needs, and the
 * dialog grants only those the creator holds (the server caps a key at its creator's scopes anyway).
 */
export const KEY_PURPOSES = ["gateway", "ci", "read-only", "custom"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** An application calls the gateway and reports its users' feedback on the answers. */
const GATEWAY_EXTRAS: Scope[] = ["feedback:write"];

/** The registry, prompts, experiments, datasets, gateway routes, evals (CI gates), rollouts and workflows: what a CI pipeline reads and changes. */
const AUTOMATED = ["models", "prompts", "experiments", "datasets", "gateway", "evals", "rollouts", "workflows"];

const PURPOSE_SCOPES: Record<Exclude<KeyPurpose, "custom">, readonly Scope[]> = {
  gateway: ["gateway:invoke", ...GATEWAY_EXTRAS],
  ci: [
    "project:read",
    // An eval run (a CI gate) calls its targets through the gateway as the key that started it.
    "gateway:invoke",
    ...SCOPES.filter((s) => {
      const [group, verb] = s.split(":");
      return AUTOMATED.includes(group) && (verb === "read" || verb === "write");
    }),
  ],
  "read-only": SCOPES.filter((s) => s.endsWith(":read")),
};

export const KEY_PURPOSE_LABELS: Record<KeyPurpose, { title: string; description: string }> = {
  gateway: {
    title: "Gateway client",
    description: "An application calling /v1 (chat, completions, embeddings). Nothing else.",
  },
  ci: {
    title: "CI automation",
    description:
      "Reads and changes models, prompts, experiments, datasets and routes; runs evals, CI gates, rollouts and workflows. No members, keys or settings.",
  },
  "read-only": { title: "Read-only", description: "Dashboards and scripts that only look." },
  custom: { title: "Custom", description: "Pick the scopes yourself." },
};

/** The scopes of a purpose that `can` allows (custom: none; the dialog keeps what was ticked). */
export function scopesForPurpose(purpose: KeyPurpose, can: (scope: Scope) => boolean): Scope[] {
  if (purpose === "custom") return [];
  return PURPOSE_SCOPES[purpose].filter(can);
}

/** The scopes a purpose wants that the creator cannot grant (shown, so a trimmed key is no surprise). */
export function scopesBeyondRole(purpose: KeyPurpose, can: (scope: Scope) => boolean): Scope[] {
  if (purpose === "custom") return [];
  return PURPOSE_SCOPES[purpose].filter((s) => !can(s));
}

/** The purpose whose scopes are exactly `scopes` (order aside), or custom. */
export function purposeOf(scopes: readonly string[], can: (scope: Scope) => boolean): KeyPurpose {
  const set = new Set(scopes);
  for (const purpose of KEY_PURPOSES) {
    if (purpose === "custom") continue;
    const wanted = scopesForPurpose(purpose, can);
    if (wanted.length === set.size && wanted.every((s) => set.has(s))) return purpose;
  }
  return "custom";
}

/** A key's scopes grouped by area for reading (`models: read, write`), in the order SCOPES lists them. */
export function groupScopes(scopes: readonly string[]): { group: string; verbs: string[] }[] {
  const known = SCOPES.filter((s) => scopes.includes(s));
  const unknown = scopes.filter((s) => !isScope(s));
  const groups = new Map<string, string[]>();
  for (const scope of [...known, ...unknown]) {
    const [group, verb = ""] = scope.split(":");
    groups.set(group, [...(groups.get(group) ?? []), verb]);
  }
  return [...groups].map(([group, verbs]) => ({ group, verbs }));
}
