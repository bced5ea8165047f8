"use client";

import { useState } from "react";
import { ArtifactUploader, type UploadedArtifact } from "@/components/models/artifact-uploader";
import { ConnectionTest } from "@/components/models/connection-test";
import type { ModelDetailData } from "@/components/models/types";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Badge, Field, FormDialog, Input, Select, Textarea } from "@/components/ui";

const FIELDS = [
  "artifactId",
  "onnxVariant",
  "endpointBaseUrl",
  "upstreamModelId",
  "apiKey",
  "defaultParams",
  "baseVersionId",
  "source",
  "notes",
];
const bytes = (n: number) => (n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`);

export function NewVersionDialog({
  model,
  open,
  onOpenChange,
}: {
  model: ModelDetailData;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const local = model.provider === "onnx-local";
  const [artifact, setArtifact] = useState<UploadedArtifact | null>(null);
  const [form, setForm] = useState({
    endpoint: "",
    upstream: "",
    apiKey: "",
    temperature: "",
    maxTokens: "",
    base: "",
    source: "",
    notes: "",
    variant: "",
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const create = useFormMutation(trpc.models.createVersion.mutationOptions(), {
    onClose: () => {
      onOpenChange(false);
      setArtifact(null);
    },
    success: (version) => `Created ${model.name} v${version.version}`,
    invalidate: [trpc.models.get.queryKey({ id: model.id })],
  });

  const submit = async () => {
    const defaultParams = {
      ...(form.temperature ? { temperature: Number(form.temperature) } : {}),
      ...(form.maxTokens ? { maxTokens: Number(form.maxTokens) } : {}),
    };
    await create.submit({
      modelId: model.id,
      ...(local
        ? { artifactId: artifact?.id, onnxVariant: form.variant || null }
        : { endpointBaseUrl: form.endpoint, upstreamModelId: form.upstream, apiKey: form.apiKey || undefined }),
      defaultParams,
      baseVersionId: form.base || null,
      source: form.source || null,
      notes: form.notes,
    });
  };

  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title={`New version of ${model.name}`}
      description={`This becomes v${(model.versions[0]?.version ?? 0) + 1}. Versions cannot be changed later.`}
      className="max-w-xl"
      submitLabel="Create version"
      submitDisabled={local && !artifact}
      onSubmit={submit}
      formClassName="grid grid-cols-2 gap-4"
    >
      {local ? (
        <div className="col-span-2">
          {artifact ? (
            <div className="rounded-md border border-border p-3 text-sm" data-testid="artifact-summary">
              <div className="mb-1 font-medium">
                Artifact <code className="font-mono text-xs">{artifact.sha256.slice(0, 16)}</code>{" "}
                {artifact.deduplicated && <Badge>already stored</Badge>}
              </div>
              <div className="text-muted-foreground">
                {artifact.inspection.parameterCount.toLocaleString("en-US")} parameters · {bytes(artifact.sizeBytes)} ·
                opset {artifact.inspection.opset ?? "?"} ·{" "}
                {artifact.inspection.encoder
                  ? `${artifact.inspection.encoder.kind} encoder (${artifact.inspection.encoder.pooling.join(" + ") || "pooled output"})`
                  : artifact.inspection.hasKvCache
                    ? "KV cache"
                    : "no KV cache"}
                {artifact.inspection.contextLength ? ` · ${artifact.inspection.contextLength} tokens context` : ""}
              </div>
              {(artifact.inspection.variants?.length ?? 0) > 1 && (
                <Field
                  label="Variant"
                  htmlFor="v-variant"
                  error={create.fieldError("onnxVariant")}
                  className="mt-3"
                  hint="Which of the folder's exports runs. Automatic: fp16/q4f16 on a GPU, a quantised one or fp32 on CPU."
                >
                  <Select id="v-variant" value={form.variant} onChange={set("variant")}>
                    <option value="">Automatic (by device; CPU: {artifact.inspection.modelVariant})</option>
                    {artifact.inspection.variants!.map((v) => (
                      <option key={v.file} value={v.name}>
                        {v.name} ({v.file})
                      </option>
                    ))}
                  </Select>
                </Field>
              )}
            </div>
          ) : (
            <ArtifactUploader onUploaded={setArtifact} />
          )}
        </div>
      ) : (
        <>
          <Field
            label="Endpoint base URL"
            htmlFor="v-endpoint"
            error={create.fieldError("endpointBaseUrl")}
            className="col-span-2"
          >
            <Input
              id="v-endpoint"
              value={form.endpoint}
              onChange={set("endpoint")}
              placeholder="https://api.example.com/v1"
              data-autofocus
            />
          </Field>
          <Field label="Upstream model id" htmlFor="v-upstream" error={create.fieldError("upstreamModelId")}>
            <Input id="v-upstream" value={form.upstream} onChange={set("upstream")} />
          </Field>
          <Field
            label="API key"
            htmlFor="v-key"
            hint="Stored encrypted, never shown again"
            error={create.fieldError("apiKey")}
          >
            <Input id="v-key" type="password" autoComplete="off" value={form.apiKey} onChange={set("apiKey")} />
          </Field>
          <div className="col-span-2">
            <ConnectionTest
              target={{
                modelId: model.id,
                endpointBaseUrl: form.endpoint,
                upstreamModelId: form.upstream,
                apiKey: form.apiKey,
              }}
            />
          </div>
        </>
      )}
      <Field label="Default temperature" htmlFor="v-temp" error={create.fieldError("defaultParams.temperature")}>
        <Input
          id="v-temp"
          inputMode="decimal"
          value={form.temperature}
          onChange={set("temperature")}
          placeholder="e.g. 0.7"
        />
      </Field>
      <Field label="Default max tokens" htmlFor="v-max" error={create.fieldError("defaultParams.maxTokens")}>
        <Input id="v-max" inputMode="numeric" value={form.maxTokens} onChange={set("maxTokens")} />
      </Field>
      <Field label="Based on (lineage)" htmlFor="v-base">
        <Select id="v-base" value={form.base} onChange={set("base")}>
          <option value="">—</option>
          {model.versions.map((v) => (
            <option key={v.id} value={v.id}>
              v{v.version}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Source" htmlFor="v-source" hint="Where it came from">
        <Input id="v-source" value={form.source} onChange={set("source")} />
      </Field>
      <Field label="Notes" htmlFor="v-notes" className="col-span-2">
        <Textarea id="v-notes" rows={2} value={form.notes} onChange={set("notes")} />
      </Field>
      <FormError error={create.error} fields={FIELDS} className="col-span-2" />
    </FormDialog>
  );
}
