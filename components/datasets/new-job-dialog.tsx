"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Button, Dialog, Field, Input, Select, toast } from "@/components/ui";
import { createJobInput } from "@/lib/dataset-forms";

const numberOrUndefined = (text: string) => (text.trim() === "" ? undefined : Number(text));

/**
 * Queues a fine-tuning job: a base model version, a dataset version, hyperparameters. An executor outside the
 * app claims it (POST /api/rest/fine-tuning/claim) and reports progress; the jobs list shows it.
 */
export function NewJobDialog({
  open,
  onOpenChange,
  datasetVersionId: fixedVersion,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Start from this dataset version (the dataset page); otherwise the dialog offers every version. */
  datasetVersionId?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const bases = useQuery({ ...trpc.fineTuning.baseVersions.queryOptions({}), enabled: open });
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({}), enabled: open });
  const [base, setBase] = useState("");
  const [dataVersion, setDataVersion] = useState(fixedVersion ?? "");
  const [epochs, setEpochs] = useState("");
  const [lr, setLr] = useState("");
  const [batch, setBatch] = useState("");
  const hyperparameters = Object.fromEntries(
    Object.entries({
      epochs: numberOrUndefined(epochs),
      learningRateMultiplier: numberOrUndefined(lr),
      batchSize: numberOrUndefined(batch),
    }).filter(([, value]) => value !== undefined),
  );
  const draft = { baseModelVersionId: base, datasetVersionId: dataVersion, hyperparameters };
  const v = useLiveValidation(createJobInput, draft);
  const create = useMutation(
    trpc.fineTuning.create.mutationOptions({
      onSuccess: () => {
        toast.success("Job queued: an executor will pick it up");
        void queryClient.invalidateQueries({ queryKey: trpc.fineTuning.list.queryKey() });
        onOpenChange(false);
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const submit = () => {
    if (!v.valid) return v.showAll();
    create.mutate(draft);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !create.isPending && onOpenChange(o)}
      title="New fine-tuning job"
      description="Queued until an executor (a GPU worker or a provider bridge) claims it over the API."
      className="max-w-xl"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button onClick={submit} loading={create.isPending}>
            Queue job
          </Button>
        </>
      }
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Base model version"
          htmlFor="job-base"
          error={v.error("baseModelVersionId")}
          hint={bases.data?.length === 0 ? "Register a model version first" : undefined}
          className="sm:col-span-2"
        >
          <Select id="job-base" value={base} onChange={(e) => setBase(e.target.value)} data-autofocus>
            <option value="">Choose…</option>
            {bases.data?.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Dataset version" htmlFor="job-data" error={v.error("datasetVersionId")} className="sm:col-span-2">
          <Select id="job-data" value={dataVersion} onChange={(e) => setDataVersion(e.target.value)}>
            <option value="">Choose…</option>
            {datasets.data?.flatMap((d) =>
              d.versions.map((dv) => (
                <option key={dv.id} value={dv.id}>
                  {d.name} v{dv.version} ({dv.operation}, {dv.exampleCount.toLocaleString("en-US")} examples)
                </option>
              )),
            )}
          </Select>
        </Field>
        <Field label="Epochs" htmlFor="job-epochs" error={v.error("hyperparameters.epochs")} hint="Empty: auto">
          <Input id="job-epochs" inputMode="numeric" value={epochs} onChange={(e) => setEpochs(e.target.value)} />
        </Field>
        <Field
          label="Learning rate multiplier"
          htmlFor="job-lr"
          error={v.error("hyperparameters.learningRateMultiplier")}
          hint="Empty: auto"
        >
          <Input id="job-lr" inputMode="decimal" value={lr} onChange={(e) => setLr(e.target.value)} />
        </Field>
        <Field label="Batch size" htmlFor="job-batch" error={v.error("hyperparameters.batchSize")} hint="Empty: auto">
          <Input id="job-batch" inputMode="numeric" value={batch} onChange={(e) => setBatch(e.target.value)} />
        </Field>
      </div>
    </Dialog>
  );
}
