"use client";

import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { PROVIDER_LABELS } from "@/components/models/labels";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Field, FormDialog, Input, Select, Textarea } from "@/components/ui";
import { PROVIDERS, type ProviderName, TASKS } from "@/lib/models";

const FIELDS = [
  "name",
  "provider",
  "task",
  "contextLength",
  "license",
  "priceInputPerMTok",
  "priceOutputPerMTok",
  "priceCachedInputPerMTok",
  "priceCacheWritePerMTok",
  "tags",
];
const optionalNumber = (value: string) => (value.trim() === "" ? null : Number(value));

/** The per-token prices of an upstream model: the form field, the API field it fills, and how it is labelled. */
const TOKEN_PRICES = [
  {
    key: "priceIn",
    field: "priceInputPerMTok",
    id: "model-price-in",
    label: "Input price per 1M tokens (USD)",
    hint: undefined,
  },
  {
    key: "priceOut",
    field: "priceOutputPerMTok",
    id: "model-price-out",
    label: "Output price per 1M tokens (USD)",
    hint: undefined,
  },
  {
    key: "priceCached",
    field: "priceCachedInputPerMTok",
    id: "model-price-cached",
    label: "Cached input price per 1M tokens (USD)",
    hint: "Prompt-cache reads; empty: the input price",
  },
  {
    key: "priceCacheWrite",
    field: "priceCacheWritePerMTok",
    id: "model-price-cache-write",
    label: "Cache write price per 1M tokens (USD)",
    hint: "Prompt-cache writes; empty: the input price",
  },
] as const;

export function RegisterModelDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const empty = { name: "", provider: "openai-compatible" as ProviderName, task: "chat" as (typeof TASKS)[number] };
  const [form, setForm] = useState({
    ...empty,
    contextLength: "",
    license: "",
    priceIn: "",
    priceOut: "",
    priceCached: "",
    priceCacheWrite: "",
    tags: "",
    description: "",
  });
  const create = useFormMutation(trpc.models.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (model) => `Registered ${model.name}`,
    invalidate: [trpc.models.list.queryKey()],
    onDone: (model) => router.push(`/projects/${projectId}/models/${model.id}`),
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="Register model"
      description="Versions come next: an uploaded ONNX folder for local models, or an endpoint for upstream ones."
      className="max-w-xl"
      submitLabel="Register"
      onSubmit={() =>
        create.submit({
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
                priceCachedInputPerMTok: optionalNumber(form.priceCached),
                priceCacheWritePerMTok: optionalNumber(form.priceCacheWrite),
              }),
          tags: form.tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
          description: form.description,
        })
      }
      formClassName="grid grid-cols-2 gap-4"
    >
      <Field label="Name" htmlFor="model-name" error={create.fieldError("name")} className="col-span-2">
        <Input
          id="model-name"
          value={form.name}
          onChange={set("name")}
          placeholder="e.g. support-bot or llama-3-8b"
          data-autofocus
        />
      </Field>
      <Field label="Provider" htmlFor="model-provider" error={create.fieldError("provider")}>
        <Select id="model-provider" value={form.provider} onChange={set("provider")}>
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {PROVIDER_LABELS[p]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Task" htmlFor="model-task" error={create.fieldError("task")}>
        <Select id="model-task" value={form.task} onChange={set("task")}>
          {TASKS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Context length" htmlFor="model-context" error={create.fieldError("contextLength")}>
        <Input
          id="model-context"
          inputMode="numeric"
          value={form.contextLength}
          onChange={set("contextLength")}
          placeholder="tokens"
        />
      </Field>
      <Field label="License" htmlFor="model-license" error={create.fieldError("license")}>
        <Input id="model-license" value={form.license} onChange={set("license")} placeholder="e.g. apache-2.0" />
      </Field>
      {form.provider === "onnx-local" ? (
        <Field
          label="Price per compute second (USD)"
          htmlFor="model-price-in"
          error={create.fieldError("pricePerComputeSecond")}
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
        TOKEN_PRICES.map((price) => (
          <Field
            key={price.key}
            label={price.label}
            htmlFor={price.id}
            hint={price.hint}
            error={create.fieldError(price.field)}
          >
            <Input
              id={price.id}
              inputMode="decimal"
              value={form[price.key]}
              onChange={set(price.key)}
              placeholder={price.hint ? "optional" : undefined}
            />
          </Field>
        ))
      )}
      <Field
        label="Tags"
        htmlFor="model-tags"
        hint="Comma-separated"
        error={create.fieldError("tags")}
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
