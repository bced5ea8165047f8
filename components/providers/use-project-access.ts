"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { ROLE_SCOPES, type Scope } from "@/lib/scopes";

/** The signed-in user's role in the current project, to hide actions they cannot take (the server still checks). */
export function useProjectAccess() {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.current.queryOptions({}));
  const role = project.data?.role ?? null;
  const scopes: readonly Scope[] = role ? ROLE_SCOPES[role] : [];
  return { project: project.data, role, can: (scope: Scope) => scopes.includes(scope), isLoading: project.isLoading };
}

/** Why a write action is disabled, for its title: the role and the permission it lacks. */
export function deniedReason(role: string | null, scope: Scope): string {
  if (role === "viewer") return `Your role (viewer) is read-only here: this needs the ${scope} permission`;
  return `${role ? `Your role (${role})` : "You"} cannot do this: it needs the ${scope} permission`;
}
