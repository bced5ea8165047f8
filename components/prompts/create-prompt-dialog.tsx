"use client";

import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { TemplateEditor, type TemplateValue } from "@/components/prompts/template-editor";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Field, FormDialog, Input, Select } from "@/components/ui";

const STARTERS: Record<"text" | "chat", TemplateValue> = {
  text: "Summarize the following text in {{ max_words }} words:\n\n{{ text }}",
  chat: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "{{ question }}" },
  ],
};

export function CreatePromptDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [type, setType] = useState<"text" | "chat">("chat");
  const [template, setTemplate] = useState<TemplateValue>(STARTERS.chat);
  const create = useFormMutation(trpc.prompts.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) => `Created ${input.name}`,
    invalidate: [trpc.prompts.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/prompts/${created.promptId}`),
  });
  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New prompt"
      description="Version 1 is saved with the template; later edits become new versions."
      className="max-w-2xl"
      submitLabel="Create prompt"
      onSubmit={() => create.submit({ name, type, template })}
      formClassName="flex flex-col gap-4"
    >
      <div className="grid grid-cols-[2fr_1fr] gap-3">
        <Field
          label="Name"
          htmlFor="prompt-name"
          hint="Slashes make folders: support/triage"
          error={create.fieldError("name")}
        >
          <Input id="prompt-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Type" htmlFor="prompt-type">
          <Select
            id="prompt-type"
            value={type}
            onChange={(e) => {
              const next = e.target.value as "text" | "chat";
              setType(next);
              setTemplate(STARTERS[next]);
            }}
          >
            <option value="chat">chat (messages)</option>
            <option value="text">text</option>
          </Select>
        </Field>
      </div>
      <TemplateEditor value={template} onChange={setTemplate} errorFor={create.fieldError} />
      <FormError error={create.error} fields={["name", "template"]} />
    </FormDialog>
  );
}
