"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Field, FormDialog, Input, Select } from "@/components/ui";
import { addRequestsInput } from "@/lib/dataset-forms";

/**
 * Selected logged requests → chat examples of a new dataset, or a new version of an existing chat dataset (its
 * latest version plus these). Each example keeps `metadata.request_id`; a request without a logged body (or with
 * tools, media or an error) is refused by id, and nothing is written.
 */
export function AddToDatasetDialog({
  open,
  onOpenChange,
  requestIds,
  onAdded,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  requestIds: string[];
  onAdded: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [target, setTarget] = useState<"new" | "existing">("new");
  const [name, setName] = useState("");
  const [datasetId, setDatasetId] = useState("");
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({}), enabled: open });
  const chatDatasets = (datasets.data ?? []).filter((d) => d.format === "chat");
  const draft = useMemo(
    () => (target === "new" ? { requestIds, name } : { requestIds, datasetId: datasetId || undefined }),
    [target, requestIds, name, datasetId],
  );
  const v = useLiveValidation(addRequestsInput, draft);
  const add = useFormMutation(trpc.datasets.addFromRequests.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (version) => `Added ${version.added} example${version.added === 1 ? "" : "s"} as v${version.version}`,
    invalidate: [trpc.datasets.list.queryKey()],
    onDone: (version) => {
      onAdded();
      router.push(`/projects/${projectId}/datasets/${version.datasetId}`);
    },
  });
  const error = (field: string) => v.error(field) ?? add.fieldError(field);

  return (
    <FormDialog
      open={open}
      {...add.formDialog}
      title={`Add ${requestIds.length} request${requestIds.length === 1 ? "" : "s"} to a dataset`}
      description="Each becomes a chat example: the request's messages as logged, the answer as the last assistant message, and metadata.request_id. Requests need their bodies logged."
      submitLabel="Add to dataset"
      onSubmit={() => (v.valid ? add.submit(draft) : v.showAll())}
    >
      <Field label="Into" htmlFor="add-target">
        <Select id="add-target" value={target} onChange={(e) => setTarget(e.target.value as "new" | "existing")}>
          <option value="new">A new dataset</option>
          <option value="existing" disabled={chatDatasets.length === 0}>
            A new version of a chat dataset
          </option>
        </Select>
      </Field>
      {target === "new" ? (
        <Field label="Dataset name" htmlFor="add-name" error={error("name")}>
          <Input id="add-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
      ) : (
        <Field
          label="Dataset"
          htmlFor="add-dataset"
          error={error("datasetId")}
          hint="Its latest version plus these examples"
        >
          <Select id="add-dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">Choose…</option>
            {chatDatasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} (v{d.latestVersion ?? 0}, {d.exampleCount ?? 0} examples)
              </option>
            ))}
          </Select>
        </Field>
      )}
      <FormError error={add.error} fields={["name", "datasetId", "requestIds"]} />
      {add.error && "data" in add.error && (
        <ul className="list-disc pl-5 text-danger text-sm">
          {((add.error.data as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [])
            .filter((i) => i.path.startsWith("requestIds."))
            .slice(0, 10)
            .map((i) => (
              <li key={i.path}>{i.message}</li>
            ))}
        </ul>
      )}
    </FormDialog>
  );
}
