"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type LoadedPrompt, templateText } from "@/components/playground/prompt-draft";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, toast } from "@/components/ui";
import { DiffHunks } from "@/components/versioning/diff-hunks";
import { diffText } from "@/lib/text-diff";

/** Confirms saving the playground's edits as the prompt's next version, showing what changes against the loaded one. */
export function SaveVersionDialog({
  open,
  onOpenChange,
  prompt,
  template,
  config,
  onSaved,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  prompt: LoadedPrompt;
  template: LoadedPrompt["template"];
  config: LoadedPrompt["config"];
  onSaved: (version: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const save = useMutation(trpc.prompts.createVersion.mutationOptions());
  const configLines = (c: LoadedPrompt["config"]) =>
    [`model: ${c.model ?? "(none)"}`, `params: ${JSON.stringify(c.params ?? {})}`].join("\n");
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Save as a new version of ${prompt.name}`}
      description={`Changes against v${prompt.version}, the version you opened. The new version gets the next number; labels do not move.`}
      submitLabel="Save version"
      pending={save.isPending}
      className="max-w-2xl"
      formClassName="flex flex-col gap-3"
      onSubmit={async () => {
        try {
          const v = await save.mutateAsync({ promptId: prompt.promptId, template, config, commitMessage: message });
          toast.success(`Saved ${prompt.name} v${v.version}`);
          await queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ id: prompt.promptId }) });
          setMessage("");
          onSaved(v.version);
        } catch {
          // shown below
        }
      }}
    >
      <section aria-label="Template changes" className="flex flex-col gap-1">
        <h3 className="font-medium text-sm">Template</h3>
        <DiffHunks diff={diffText(templateText(prompt.template), templateText(template))} empty="Unchanged." />
      </section>
      <section aria-label="Config changes" className="flex flex-col gap-1">
        <h3 className="font-medium text-sm">Model and parameters</h3>
        <DiffHunks diff={diffText(configLines(prompt.config), configLines(config))} empty="Unchanged." />
      </section>
      <Field label="Commit message" htmlFor="save-version-message" error={fieldError(save.error, "commitMessage")}>
        <Input
          id="save-version-message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="What changed and why"
          data-autofocus
        />
      </Field>
      <FormError error={save.error} fields={["commitMessage"]} />
    </FormDialog>
  );
}
