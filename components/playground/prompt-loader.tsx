"use client";

import { useMutation } from "@tanstack/react-query";
import { MessageSquareText, Save } from "lucide-react";
import { useEffect } from "react";
import type { PlaygroundInput } from "@/components/playground/input-panel";
import { type LoadedPrompt, templateFromInput } from "@/components/playground/prompt-draft";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Button, Card, CardContent, Field, Input, Textarea } from "@/components/ui";

/** `name`, `name@label` or `name@3` (the links from the prompts pages) as a fetch selector. */
export function parsePromptRef(ref: string): { name: string; version?: number; label?: string } {
  const at = ref.lastIndexOf("@");
  if (at < 0) return { name: ref };
  const selector = ref.slice(at + 1);
  return /^\d+$/.test(selector)
    ? { name: ref.slice(0, at), version: Number(selector) }
    : { name: ref.slice(0, at), label: selector };
}

/** A sample value: JSON when it looks like JSON (lists for few-shot loops), else the text as typed. */
export const sampleValue = (raw: string): unknown => {
  try {
    return /^\s*[[{]/.test(raw) ? JSON.parse(raw) : raw;
  } catch {
    return raw;
  }
};

/**
 * A prompt version opened in the playground: its template is the input (edit it freely), its variables are
 * filled here, and Run renders the edited template with them. Edits can be saved as the prompt's next version.
 */
export function PromptLoader({
  prompt,
  input,
  values,
  onValuesChange,
  save,
}: {
  prompt: LoadedPrompt;
  input: PlaygroundInput;
  values: Record<string, string>;
  onValuesChange: (values: Record<string, string>) => void;
  save: { disabledReason: string | null; onClick: () => void };
}) {
  const trpc = useTRPC();
  const preview = useMutation(trpc.prompts.preview.mutationOptions());
  const { mutate: runPreview } = preview;
  const template = templateFromInput(prompt.type, input);
  const templateKey = JSON.stringify(template);
  // Live preview of the edited template with the values typed so far.
  useEffect(() => {
    const timer = setTimeout(() => {
      const variables = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sampleValue(v)]));
      runPreview({ type: prompt.type, template: JSON.parse(templateKey), variables });
    }, 250);
    return () => clearTimeout(timer);
  }, [templateKey, values, prompt.type, runPreview]);
  const names = preview.data?.variables.map((v) => v.name) ?? prompt.variables;
  const problem = preview.data?.error?.message ?? preview.error?.message;
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <MessageSquareText className="size-4" aria-hidden />
          Prompt <strong>{prompt.name}</strong> <Badge>v{prompt.version}</Badge>
          {typeof prompt.config.model === "string" && (
            <span className="text-muted-foreground">model {prompt.config.model}</span>
          )}
          <span className="flex-1" />
          <Button
            size="sm"
            variant="secondary"
            disabled={save.disabledReason !== null}
            title={save.disabledReason ?? "Save the edited template, model and parameters as a new version"}
            onClick={save.onClick}
          >
            <Save aria-hidden /> Save as new version
          </Button>
        </div>
        {save.disabledReason && <p className="text-muted-foreground text-xs">{save.disabledReason}</p>}
        {names.length > 0 && (
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            {names.map((name) => (
              <Field key={name} label={name} htmlFor={`var-${name}`}>
                {name === "examples" || preview.data?.variables.find((v) => v.name === name)?.kind === "list" ? (
                  <Textarea
                    id={`var-${name}`}
                    rows={2}
                    className="font-mono text-xs"
                    value={values[name] ?? ""}
                    onChange={(e) => onValuesChange({ ...values, [name]: e.target.value })}
                  />
                ) : (
                  <Input
                    id={`var-${name}`}
                    value={values[name] ?? ""}
                    onChange={(e) => onValuesChange({ ...values, [name]: e.target.value })}
                  />
                )}
              </Field>
            ))}
          </div>
        )}
        <section aria-label="Rendered prompt" className="flex flex-col gap-1 text-xs">
          <span className="text-muted-foreground">What Run sends (the template rendered with these values)</span>
          {problem ? (
            <p role="alert" className="whitespace-pre-wrap rounded-md bg-danger-soft p-2 font-mono text-danger">
              {problem}
            </p>
          ) : (
            <pre className="max-h-48 overflow-auto whitespace-pre-wrap rounded-md border border-border p-2 font-mono">
              {preview.data?.messages
                ? preview.data.messages.map((m) => `[${m.role}] ${m.content}`).join("\n")
                : (preview.data?.text ?? "")}
            </pre>
          )}
        </section>
      </CardContent>
    </Card>
  );
}
