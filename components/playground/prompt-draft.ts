import type { PlaygroundInput } from "@/components/playground/input-panel";
import { type Params, toApiParams } from "@/components/playground/types";
import type { RouterOutputs } from "@/components/providers/trpc";

export type LoadedPrompt = RouterOutputs["prompts"]["fetch"];
type Template = LoadedPrompt["template"];
type Config = LoadedPrompt["config"];

/** A prompt version's template as the playground's input: a leading system message goes to the system box. */
export function inputFromTemplate(type: LoadedPrompt["type"], template: Template): PlaygroundInput {
  if (typeof template === "string" || type === "text")
    return { mode: "raw", system: "", messages: [], prompt: String(template) };
  const [first, ...rest] = template;
  const system = first?.role === "system" ? first.content : "";
  const messages = first?.role === "system" ? rest : template;
  return { mode: "chat", system, messages: messages.length ? messages : [{ role: "user", content: "" }], prompt: "" };
}

/** The input back as a template of the prompt's type (empty messages dropped, as Run drops them). */
export function templateFromInput(type: LoadedPrompt["type"], input: PlaygroundInput): Template {
  if (type === "text") return input.mode === "raw" ? input.prompt : input.messages.map((m) => m.content).join("\n");
  const messages = input.messages.filter((m) => m.content.trim());
  return input.system.trim() ? [{ role: "system", content: input.system }, ...messages] : messages;
}

/** The prompt's config with the first column's model and parameters (blank parameters: none saved). */
export function configFromColumn(config: Config, column: { model: string; params: Params }): Config {
  const { model: _model, params: _params, ...rest } = config;
  const params = toApiParams(column.params);
  return {
    ...rest,
    ...(column.model ? { model: column.model } : {}),
    ...(Object.keys(params).length ? { params } : {}),
  };
}

/** JSON with sorted keys: equal values compare equal whatever their key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(a)) === JSON.stringify(sort(b));
}

/** A template as text for a readable diff: a chat template as `## role` sections. */
export function templateText(template: Template): string {
  return typeof template === "string" ? template : template.map((m) => `## ${m.role}\n${m.content}`).join("\n\n");
}
