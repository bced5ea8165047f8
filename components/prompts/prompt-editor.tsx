"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { sameJson } from "@/components/playground/prompt-draft";
import { TemplateEditor, type TemplateValue } from "@/components/prompts/template-editor";
import type { PromptDetailData } from "@/components/prompts/types";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, Card, CardContent, Field, Input, Textarea, toast } from "@/components/ui";

/** Parses a sample value: JSON when it looks like JSON (lists for few-shot loops), else the raw string. */
function sampleValue(raw: string): unknown {
  const t = raw.trim();
  if (/^[[{]/.test(t) || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return raw;
    }
  }
  return raw;
}

export function PromptEditor({ prompt, onSaved }: { prompt: PromptDetailData; onSaved: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const latest = prompt.versions[0];
  const [template, setTemplate] = useState<TemplateValue>((latest?.template as TemplateValue) ?? "");
  const [model, setModel] = useState(String(latest?.config.model ?? ""));
  const [message, setMessage] = useState("");
  const [samples, setSamples] = useState<Record<string, string>>({});
  const save = useMutation(trpc.prompts.createVersion.mutationOptions());
  const preview = useMutation(trpc.prompts.preview.mutationOptions());
  const { mutate: runPreview } = preview;
  const { can } = useProjectAccess();
  const config = { ...latest?.config, ...(model ? { model } : {}) };
  // The server refuses a copy of the latest version too; here the button says so before anyone presses it.
  const unchanged = latest !== undefined && sameJson(template, latest.template) && sameJson(config, latest.config);
  const disabledReason = !can("prompts:write")
    ? deniedReason("viewer", "prompts:write")
    : unchanged
      ? `Nothing to save yet: this is v${latest?.version} as it is. Change the template or the model first.`
      : null;

  // Live preview: re-render shortly after each edit.
  useEffect(() => {
    const timer = setTimeout(() => {
      const variables = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, sampleValue(v)]));
      runPreview({ type: prompt.type, template, variables });
    }, 250);
    return () => clearTimeout(timer);
  }, [template, samples, prompt.type, runPreview]);

  const detected = preview.data?.variables ?? [];
  const problem = preview.data?.error?.message ?? preview.error?.message;

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Card>
        <CardContent className="flex flex-col gap-3 pt-4">
          <h3 className="font-medium text-sm">New version (v{(latest?.version ?? 0) + 1})</h3>
          <TemplateEditor value={template} onChange={setTemplate} errorFor={(path) => fieldError(save.error, path)} />
          <Field label="Model (registry reference)" htmlFor="prompt-model" hint="e.g. switchyard-demo@production">
            <Input id="prompt-model" value={model} onChange={(e) => setModel(e.target.value)} />
          </Field>
          <Field label="Commit message" htmlFor="prompt-message" error={fieldError(save.error, "commitMessage")}>
            <Input
              id="prompt-message"
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              placeholder="What changed and why"
            />
          </Field>
          <FormError error={save.error} fields={["template", "commitMessage"]} />
          <Button
            className="self-start"
            loading={save.isPending}
            disabled={disabledReason !== null}
            title={disabledReason ?? undefined}
            onClick={async () => {
              try {
                const v = await save.mutateAsync({
                  promptId: prompt.id,
                  template,
                  config,
                  commitMessage: message,
                });
                toast.success(`Saved v${v.version}`);
                setMessage("");
                await queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ id: prompt.id }) });
                onSaved();
              } catch {
                // shown above
              }
            }}
          >
            Save as v{(latest?.version ?? 0) + 1}
          </Button>
          {disabledReason && <p className="text-muted-foreground text-xs">{disabledReason}</p>}
        </CardContent>
      </Card>
      <Card>
        <CardContent className="flex flex-col gap-3 pt-4">
          <h3 className="font-medium text-sm">Preview</h3>
          {detected.length === 0 ? (
            <p className="text-muted-foreground text-sm">This template uses no variables.</p>
          ) : (
            detected.map((v) => (
              <Field
                key={v.name}
                label={v.name}
                htmlFor={`sample-${v.name}`}
                hint={v.kind === "list" ? "A JSON list, e.g. few-shot examples" : undefined}
              >
                {v.kind === "list" ? (
                  <Textarea
                    id={`sample-${v.name}`}
                    rows={3}
                    className="font-mono text-xs"
                    value={samples[v.name] ?? ""}
                    onChange={(e) => setSamples((s) => ({ ...s, [v.name]: e.target.value }))}
                  />
                ) : (
                  <Input
                    id={`sample-${v.name}`}
                    value={samples[v.name] ?? ""}
                    onChange={(e) => setSamples((s) => ({ ...s, [v.name]: e.target.value }))}
                  />
                )}
              </Field>
            ))
          )}
          <section aria-label="Rendered preview" className="flex flex-col gap-2">
            {problem ? (
              <div role="alert" className="rounded-md bg-danger-soft p-2 text-danger text-sm">
                {preview.data?.error?.issues.length ? (
                  <ul className="flex flex-col gap-1">
                    {preview.data.error.issues.map((issue) => (
                      <li key={`${issue.path}:${issue.message}`} className="whitespace-pre-wrap font-mono text-xs">
                        {issue.message}
                      </li>
                    ))}
                  </ul>
                ) : (
                  problem
                )}
              </div>
            ) : preview.data?.messages ? (
              preview.data.messages.map((m, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rendered messages are positional
                <div key={i} className="rounded-md border border-border p-2">
                  <Badge>{m.role}</Badge>
                  <pre className="mt-1 whitespace-pre-wrap font-mono text-xs">{m.content}</pre>
                </div>
              ))
            ) : (
              <pre className="whitespace-pre-wrap rounded-md border border-border p-2 font-mono text-xs">
                {preview.data?.text ?? ""}
              </pre>
            )}
          </section>
        </CardContent>
      </Card>
    </div>
  );
}
