"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { TemplateEditor, type TemplateValue } from "@/components/prompts/template-editor";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, Select, toast } from "@/components/ui";

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
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [type, setType] = useState<"text" | "chat">("chat");
  const [template, setTemplate] = useState<TemplateValue>(STARTERS.chat);
  const create = useMutation(trpc.prompts.create.mutationOptions());
  const close = () => {
    onOpenChange(false);
    create.reset();
  };
  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title="New prompt"
      description="Version 1 is saved with the template; later edits become new versions."
      className="max-w-2xl"
      submitLabel="Create prompt"
      pending={create.isPending}
      onSubmit={async () => {
        try {
          const created = await create.mutateAsync({ name, type, template });
          toast.success(`Created ${name}`);
          void queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() });
          close();
          router.push(`/projects/${projectId}/prompts/${created.promptId}`);
        } catch {
          // shown in the form
        }
      }}
      formClassName="flex flex-col gap-4"
    >
      <div className="grid grid-cols-[2fr_1fr] gap-3">
        <Field
          label="Name"
          htmlFor="prompt-name"
          hint="Slashes make folders: support/triage"
          error={fieldError(create.error, "name")}
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
      <TemplateEditor value={template} onChange={setTemplate} errorFor={(path) => fieldError(create.error, path)} />
      <FormError error={create.error} fields={["name", "template"]} />
    </FormDialog>
  );
}
