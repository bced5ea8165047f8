/**
 * Permission scopes and the roles that grant them. Pure data: imported by the
 * tRPC middleware, the REST/gateway auth and the console's forms alike.
 * A procedure declares one scope in its meta; nothing checks roles by hand.
 */
export const SCOPES = [
  "project:read",
  "project:write",
  "models:read",
  "models:write",
  "prompts:read",
  "prompts:write",
  /** Move, protect and unprotect protected prompt labels (e.g. production); owners and admins. */
  "prompts:protect",
  "experiments:read",
  "experiments:write",
  /** Evaluators, eval runs, comparisons and CI gates: see them; create, version, try, start and cancel them. */
  "evals:read",
  "evals:write",
  "datasets:read",
  "datasets:write",
  /** Release policies on prompt labels and model aliases: see them; change them and override a refusal (owners, admins). */
  "releases:read",
  "releases:write",
  "playground:run",
  "gateway:invoke",
  /** Gateway routes (deployments, retries, fallbacks): read, and create/save/activate/delete. */
  "gateway:read",
  "gateway:write",
  "monitoring:read",
  /** Attach feedback scores (thumbs, ratings) to logged requests: people in the console, applications by key. */
  "feedback:write",
  /** Background jobs and schedules: see them; cancel, retry, create and pause. */
  "jobs:read",
  "jobs:write",
  /** Canary rollouts: see them (with their analysis); start, pause, resume, promote and abort them. */
  "rollouts:read",
  "rollouts:write",
  /** YAML workflows: see them and their runs; save versions, run and cancel runs. */
  "workflows:read",
  "workflows:write",
  "members:read",
  "members:write",
  "apiKeys:read",
  "apiKeys:write",
  "audit:read",
] as const;

export type Scope = (typeof SCOPES)[number];

export const ROLES = ["owner", "admin", "editor", "viewer"] as const;
export type RoleName = (typeof ROLES)[number];

const READ: Scope[] = SCOPES.filter((s) => s.endsWith(":read"));
const EDIT: Scope[] = [
  ...READ,
  "models:write",
  "prompts:write",
  "experiments:write",
  "evals:write",
  "datasets:write",
  "playground:run",
  "gateway:invoke",
  "gateway:write",
  "feedback:write",
  "jobs:write",
  "rollouts:write",
  "workflows:write",
];
// A release policy guards production against editors' moves, so changing or overriding one is an admin's right.
const ADMIN: Scope[] = [
  ...EDIT,
  "project:write",
  "members:write",
  "apiKeys:write",
  "prompts:protect",
  "releases:write",
];

export const ROLE_SCOPES: Record<RoleName, readonly Scope[]> = {
  owner: SCOPES,
  admin: ADMIN,
  editor: EDIT,
  viewer: READ,
};

export const ROLE_LABELS: Record<RoleName, string> = {
  owner: "Owner — everything, including assigning owners",
  admin: "Admin — manage members, API keys and project settings",
  editor: "Editor — create and change models, prompts, experiments, datasets, gateway routes, rollouts",
  viewer: "Viewer — read only",
};

/** Roles ordered by power; an actor may grant only roles at or below its own. */
export const ROLE_RANK: Record<RoleName, number> = { owner: 3, admin: 2, editor: 1, viewer: 0 };

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
