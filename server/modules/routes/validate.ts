/** A route config as the service accepts it: parsed, valid, and naming only models the registry can resolve. */

import type { RouteConfig } from "@/lib/routes/config";
import { formatIssue, parseRouteSource, type RouteFormat, type SourceIssue } from "@/lib/routes/parse";
import { DomainError, findDomainError } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import { normalizeModelRef } from "@/server/modules/models/refs";
import { resolveModelRef } from "@/server/modules/models/service";

export type CheckedSource =
  | { ok: true; format: RouteFormat; config: RouteConfig }
  | { ok: false; format: RouteFormat; issues: SourceIssue[] };

/** Parses, validates and resolves every model reference (deployments and fallbacks) in the project. */
export async function checkRouteSource(
  deps: ProjectDeps,
  { source, format }: { source: string; format?: RouteFormat },
): Promise<CheckedSource> {
  const { projectId } = deps.caller;
  const parsed = parseRouteSource(source, format);
  if (!parsed.ok) return parsed;
  const refs: { path: (string | number)[]; ref: string }[] = [
    ...parsed.config.deployments.map((d, i) => ({ path: ["deployments", i, "model"], ref: d.model })),
    ...parsed.config.fallbacks.map((ref, i) => ({ path: ["fallbacks", i], ref })),
  ];
  const issues = (
    await Promise.all(
      refs.map(async ({ path, ref }): Promise<SourceIssue | null> => {
        try {
          await resolveModelRef(deps, projectId, normalizeModelRef(ref));
          return null;
        } catch (error) {
          const domain = findDomainError(error);
          if (domain?.code !== "NOT_FOUND") throw error;
          return {
            ...parsed.locate(path),
            path: path.join("."),
            message: `'${ref}' does not resolve in the model registry: ${domain.message}`,
          };
        }
      }),
    )
  ).filter((issue): issue is SourceIssue => issue !== null);
  if (issues.length > 0) return { ok: false, format: parsed.format, issues };
  return { ok: true, format: parsed.format, config: parsed.config };
}

/** The config, or a 400 whose message and issues name each problem by line and column. */
export async function requireValidSource(deps: ProjectDeps, input: { source: string; format?: RouteFormat }) {
  const checked = await checkRouteSource(deps, input);
  if (checked.ok) return checked;
  const first = formatIssue(checked.issues[0]);
  const more = checked.issues.length > 1 ? ` (and ${checked.issues.length - 1} more)` : "";
  throw new DomainError(
    "VALIDATION",
    `The route config is invalid at ${first}${more}`,
    checked.issues.map((issue) => ({ path: "source", message: formatIssue(issue) })),
  );
}
