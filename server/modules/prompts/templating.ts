/**
 * Glue between stored prompts and the template core (`./template`): includes
 * are resolved against this project's prompts (name, name@label, name@3;
 * plain `name` means latest), then variables are detected or the prompt is
 * rendered strictly.
 */
import { z } from "zod";
import { DomainError, toDomainError } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import type { PromptCache } from "@/server/modules/prompts/cache";
import { diffPromptVersions as diffVersions } from "@/server/modules/prompts/diff";
import { type CompiledPrompt, fetchPrompt } from "@/server/modules/prompts/fetch";
import { findPrompt } from "@/server/modules/prompts/find";
import { runRenderTask } from "@/server/modules/prompts/rendering/pool";
import type { TaskValue } from "@/server/modules/prompts/rendering/task";
import {
  type PromptConfig,
  type PromptTemplate,
  type previewInput,
  promptConfig,
  type renderInput,
} from "@/server/modules/prompts/schemas";
import { type IncludeRef, type ResolvedIncludes, resolveIncludes } from "@/server/modules/prompts/template";

type Deps = ProjectDeps & { cache?: PromptCache<CompiledPrompt> };

const message = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() });
const detected = z.object({ name: z.string(), kind: z.enum(["list", "object", "scalar"]), required: z.boolean() });

export const renderedPrompt = z.object({
  name: z.string(),
  version: z.number().int(),
  type: z.enum(["text", "chat"]),
  text: z.string().nullable(),
  messages: z.array(message).nullable(),
  config: promptConfig,
});

export const previewResult = z.object({
  variables: z.array(detected),
  text: z.string().nullable(),
  messages: z.array(message).nullable(),
  /** Why it does not render yet (missing variable, syntax error…), with positions in `issues`. */
  error: z
    .object({ message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })) })
    .nullable(),
});

function includeResolver(deps: Deps) {
  return async (ref: IncludeRef) => {
    try {
      const found = await fetchPrompt(deps, {
        name: ref.name,
        ...(ref.version ? { version: ref.version } : { label: ref.label ?? "latest" }),
      });
      if (typeof found.template !== "string")
        throw new DomainError("VALIDATION", `'${ref.ref}' is a chat prompt: only text prompts can be included`, [
          { path: "template", message: `include "${ref.ref}" is not a text prompt` },
        ]);
      return { key: `${found.name}@${found.version}`, template: found.template };
    } catch (error) {
      if ((error as DomainError).code === "NOT_FOUND") return null;
      throw error;
    }
  };
}

async function includesFor(deps: Deps, template: PromptTemplate, rootKey?: string): Promise<ResolvedIncludes> {
  return resolveIncludes(template, includeResolver(deps), { rootKey });
}

/** The version being saved: a snippet including this prompt's latest means this new version. */
export interface SavingAs {
  name: string;
  version: number;
}

/** Parses the template (with its includes) and lists its variables; syntax, include and cycle errors throw VALIDATION. */
export async function analyzeTemplate(deps: Deps, template: PromptTemplate, self?: SavingAs) {
  const rootKey = self ? `${self.name}@${self.version}` : undefined;
  const resolve = includeResolver(deps);
  const isSelf = (ref: IncludeRef) =>
    !!self && ref.name === self.name && ref.version === undefined && (ref.label ?? "latest") === "latest";
  const includes = await resolveIncludes(
    template,
    (ref) =>
      isSelf(ref) && typeof template === "string" ? Promise.resolve({ key: rootKey!, template }) : resolve(ref),
    { rootKey },
  );
  const result = await runRenderTask(deps.caller.projectId, { kind: "analyze", template, includes, rootKey });
  const { variables } = result as TaskValue & { kind: "analyze" };
  return { variables: variables.map((v) => v.name), detected: variables };
}

/** The editor's live preview: never throws for template problems, it reports them; a limit it hits is thrown. */
export async function previewPrompt(deps: Deps, input: z.infer<typeof previewInput>) {
  let includes: ResolvedIncludes;
  try {
    includes = await includesFor(deps, input.template);
  } catch (error) {
    const domain = toDomainError(error);
    if (!domain) throw error;
    return { variables: [], text: null, messages: null, error: { message: domain.message, issues: domain.issues } };
  }
  const task = { kind: "preview" as const, template: input.template, variables: input.variables, includes };
  const result = (await runRenderTask(deps.caller.projectId, task)) as TaskValue & { kind: "preview" };
  const { rendered, problem } = result;
  return {
    variables: result.variables,
    text: rendered?.type === "text" ? rendered.text : null,
    messages: rendered?.type === "chat" ? rendered.messages : null,
    error: problem ? { message: problem.message, issues: problem.issues } : null,
  };
}

/** Renders a stored prompt (by label, version or latest) with variables; any problem is a VALIDATION error. */
export async function renderStoredPrompt(deps: Deps, input: z.infer<typeof renderInput>) {
  const prompt = await fetchPrompt(deps, input);
  const rootKey = `${prompt.name}@${prompt.version}`;
  const includes = await includesFor(deps, prompt.template, rootKey);
  const task = { kind: "render" as const, template: prompt.template, variables: input.variables, includes, rootKey };
  const { rendered } = (await runRenderTask(deps.caller.projectId, task)) as TaskValue & { kind: "render" };
  return {
    name: prompt.name,
    version: prompt.version,
    type: prompt.type,
    text: rendered.type === "text" ? rendered.text : null,
    messages: rendered.type === "chat" ? rendered.messages : null,
    config: prompt.config,
  };
}

export async function diffPromptVersions(
  deps: ProjectDeps,
  { promptId, from, to }: { promptId: string; from: number; to: number },
) {
  const prompt = await findPrompt(deps.db, deps.caller.projectId, promptId);
  const load = async (version: number) => {
    const row = await deps.db.promptVersion.findUnique({ where: { promptId_version: { promptId, version } } });
    if (!row)
      throw new DomainError("NOT_FOUND", `Prompt '${prompt.name}' has no version ${version}`, [
        { path: version === from ? "from" : "to", message: "No such version" },
      ]);
    return {
      type: prompt.type,
      template: row.template as PromptTemplate,
      config: row.config as PromptConfig,
      label: `v${version}`,
    };
  };
  return diffVersions(await load(from), await load(to));
}
