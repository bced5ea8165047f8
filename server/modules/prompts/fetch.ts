import type { z } from "zod";
import { env } from "@/server/env";
import { DomainError, notFound } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import { PromptCache } from "@/server/modules/prompts/cache";
import type { compiledPrompt, PromptConfig, PromptTemplate, promptSelector } from "@/server/modules/prompts/schemas";

export type CompiledPrompt = z.infer<typeof compiledPrompt>;

const globalForCache = globalThis as unknown as { switchyardPromptCache?: PromptCache<CompiledPrompt> };

/** The process's cache, listening on DATABASE_URL. */
export function promptCache(): PromptCache<CompiledPrompt> {
  globalForCache.switchyardPromptCache ??= new PromptCache<CompiledPrompt>(env().DATABASE_URL ?? null);
  return globalForCache.switchyardPromptCache;
}

/**
 * A prompt by name and label (`production` by default), explicit version, or
 * `latest`. Answers from the in-process cache when it can; the ETag is the
 * version's id, so clients can revalidate with If-None-Match.
 */
export async function fetchPrompt(
  deps: ProjectDeps & { cache?: PromptCache<CompiledPrompt> },
  selector: z.infer<typeof promptSelector>,
): Promise<CompiledPrompt> {
  const { projectId } = deps.caller;
  if (selector.label && selector.version)
    throw new DomainError("VALIDATION", "Ask for a label or a version, not both", [
      { path: "version", message: "Remove label or version" },
    ]);
  const key = selector.version ? `v${selector.version}` : `l:${selector.label ?? "production"}`;
  const cache = deps.cache;
  if (cache) {
    void cache.listen().catch(() => {});
    const hit = cache.get(projectId, selector.name, key);
    if (hit) return hit;
  }
  const token = cache?.token() ?? 0;
  const prompt = await deps.db.prompt.findUnique({ where: { projectId_name: { projectId, name: selector.name } } });
  if (!prompt) throw notFound("Prompt", selector.name);
  const label = selector.version ? null : (selector.label ?? "production");
  let version: { id: string; version: number; template: unknown; config: unknown; variables: string[] } | null;
  if (selector.version) {
    version = await deps.db.promptVersion.findUnique({
      where: { promptId_version: { promptId: prompt.id, version: selector.version } },
    });
  } else if (label === "latest") {
    version = await deps.db.promptVersion.findFirst({ where: { promptId: prompt.id }, orderBy: { version: "desc" } });
  } else {
    const row = await deps.db.promptLabel.findUnique({
      where: { promptId_name: { promptId: prompt.id, name: label! } },
      include: { version: true },
    });
    version = row?.version ?? null;
  }
  if (!version)
    throw new DomainError(
      "NOT_FOUND",
      selector.version
        ? `Prompt '${prompt.name}' has no version ${selector.version}`
        : `Prompt '${prompt.name}' has no label '${label}'`,
    );
  const compiled: CompiledPrompt = {
    promptId: prompt.id,
    name: prompt.name,
    type: prompt.type,
    version: version.version,
    label,
    template: version.template as PromptTemplate,
    config: (version.config ?? {}) as PromptConfig,
    variables: version.variables,
    etag: `"${version.id}"`,
  };
  cache?.set(projectId, prompt.name, key, compiled, token);
  return compiled;
}
