"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { PROVIDER_LABELS } from "@/components/models/labels";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, Select, Textarea, toast } from "@/components/ui";
import { PROVIDERS, type ProviderName, TASKS } from "@/lib/models";

const FIELDS = [
  "name",
  "provider",
  "task",
  "contextLength",
  "license",
  "priceInputPerMTok",
  "priceOutputPerMTok",
  "tags",
];
const optionalNumber = (value: string) => (value.trim() === "" ? null : Number(value));

export function RegisterModelDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const empty = { name: "", provider: "openai-compatible" as ProviderName, task: "chat" as (typeof TASKS)[number] };
  const [form, setForm] = useState({
    ...empty,
    contextLength: "",
    license: "",
    priceIn: "",
    priceOut: "",
    tags: "",
    description: "",
  });
  const create = useMutation(trpc.models.create.mutationOptions());
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const close = () => {
    onOpenChange(false);
    create.reset();
  };

  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title="Register model"
      description="Versions come next: an uploaded ONNX folder for local models, or an endpoint for upstream ones."
      className="max-w-xl"
      submitLabel="Register"
      pending={create.isPending}
      onSubmit={async () => {
        try {
          const model = await create.mutateAsync({
            name: form.name,
            provider: form.provider,
            task: form.task,
            contextLength: optionalNumber(form.contextLength),
            license: form.license || null,
            ...(form.provider === "onnx-local"
              ? { pricePerComputeSecond: optionalNumber(form.priceIn) }
              : {
                  priceInputPerMTok: optionalNumber(form.priceIn),
                  priceOutputPerMTok: optionalNumber(form.priceOut),
                }),
            tags: form.tags
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean),
            description: form.description,
          });
          toast.success(`Registered ${model.name}`);
          void queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() });
          close();
          router.push(`/projects/${projectId}/models/${model.id}`);
        } catch {
          // shown in the form
        }
      }}
      formClassName="grid grid-cols-2 gap-4"
    >
      <Field label="Name" htmlFor="model-name" error={fieldError(create.error, "name")} className="col-span-2">
        <Input
          id="model-name"
          value={form.name}
          onChange={set("name")}
          placeholder="e.g. support-bot or llama-3-8b"
          data-autofocus
        />
      </Field>
      <Field label="Provider" htmlFor="model-provider" error={fieldError(create.error, "provider")}>
        <Select id="model-provider" value={form.provider} onChange={set("provider")}>
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {PROVIDER_LABELS[p]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Task" htmlFor="model-task" error={fieldError(create.error, "task")}>
        <Select id="model-task" value={form.task} onChange={set("task")}>
          {TASKS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Context length" htmlFor="model-context" error={fieldError(create.error, "contextLength")}>
        <Input
          id="model-context"
          inputMode="numeric"
          value={form.contextLength}
          onChange={set("contextLength")}
          placeholder="tokens"
        />
      </Field>
      <Field label="License" htmlFor="model-license" error={fieldError(create.error, "license")}>
        <Input id="model-license" value={form.license} onChange={set("license")} placeholder="e.g. apache-2.0" />
      </Field>
      {form.provider === "onnx-local" ? (
        <Field
          label="Price per compute second (USD)"
          htmlFor="model-price-in"
          error={fieldError(create.error, "pricePerComputeSecond")}
          className="col-span-2"
        >
          <Input
            id="model-price-in"
            inputMode="decimal"
            value={form.priceIn}
            onChange={set("priceIn")}
            placeholder="optional"
          />
        </Field>
      ) : (
        <>
          <Field
            label="Input price per 1M tokens (USD)"
            htmlFor="model-price-in"
            error={fieldError(create.error, "priceInputPerMTok")}
          >
            <Input id="model-price-in" inputMode="decimal" value={form.priceIn} onChange={set("priceIn")} />
          </Field>
          <Field
            label="Output price per 1M tokens (USD)"
            htmlFor="model-price-out"
            error={fieldError(create.error, "priceOutputPerMTok")}
          >
            <Input id="model-price-out" inputMode="decimal" value={form.priceOut} onChange={set("priceOut")} />
          </Field>
        </>
      )}
      <Field
        label="Tags"
        htmlFor="model-tags"
        hint="Comma-separated"
        error={fieldError(create.error, "tags")}
        className="col-span-2"
      >
        <Input id="model-tags" value={form.tags} onChange={set("tags")} />
      </Field>
      <Field label="Description" htmlFor="model-description" className="col-span-2">
        <Textarea id="model-description" rows={3} value={form.description} onChange={set("description")} />
      </Field>
      <FormError error={create.error} fields={FIELDS} className="col-span-2" />
    </FormDialog>
  );
}
