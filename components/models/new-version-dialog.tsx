"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ArtifactUploader, type UploadedArtifact } from "@/components/models/artifact-uploader";
import type { ModelDetailData } from "@/components/models/types";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Field, FormDialog, Input, Select, Textarea, toast } from "@/components/ui";

const FIELDS = [
  "artifactId",
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
  const queryClient = useQueryClient();
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
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const create = useMutation(trpc.models.createVersion.mutationOptions());
  const close = () => {
    onOpenChange(false);
    setArtifact(null);
    create.reset();
  };

  const submit = async () => {
    const defaultParams = {
      ...(form.temperature ? { temperature: Number(form.temperature) } : {}),
      ...(form.maxTokens ? { maxTokens: Number(form.maxTokens) } : {}),
    };
    try {
      const version = await create.mutateAsync({
        modelId: model.id,
        ...(local
          ? { artifactId: artifact?.id }
          : { endpointBaseUrl: form.endpoint, upstreamModelId: form.upstream, apiKey: form.apiKey || undefined }),
        defaultParams,
        baseVersionId: form.base || null,
        source: form.source || null,
        notes: form.notes,
      });
      toast.success(`Created ${model.name} v${version.version}`);
      void queryClient.invalidateQueries({ queryKey: trpc.models.get.queryKey({ id: model.id }) });
      close();
    } catch {
      // shown in the form
    }
  };

  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title={`New version of ${model.name}`}
      description={`This becomes v${(model.versions[0]?.version ?? 0) + 1}. Versions cannot be changed later.`}
      className="max-w-xl"
      submitLabel="Create version"
      pending={create.isPending}
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
                opset {artifact.inspection.opset ?? "?"} · {artifact.inspection.hasKvCache ? "KV cache" : "no KV cache"}
              </div>
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
            error={fieldError(create.error, "endpointBaseUrl")}
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
          <Field label="Upstream model id" htmlFor="v-upstream" error={fieldError(create.error, "upstreamModelId")}>
            <Input id="v-upstream" value={form.upstream} onChange={set("upstream")} />
          </Field>
          <Field
            label="API key"
            htmlFor="v-key"
            hint="Stored encrypted, never shown again"
            error={fieldError(create.error, "apiKey")}
          >
            <Input id="v-key" type="password" autoComplete="off" value={form.apiKey} onChange={set("apiKey")} />
          </Field>
        </>
      )}
      <Field label="Default temperature" htmlFor="v-temp" error={fieldError(create.error, "defaultParams.temperature")}>
        <Input
          id="v-temp"
          inputMode="decimal"
          value={form.temperature}
          onChange={set("temperature")}
          placeholder="e.g. 0.7"
        />
      </Field>
      <Field label="Default max tokens" htmlFor="v-max" error={fieldError(create.error, "defaultParams.maxTokens")}>
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
