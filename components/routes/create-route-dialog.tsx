"use client";

import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Field, FormDialog, Input } from "@/components/ui";
import { STARTER_ROUTE } from "@/lib/routes/starter";
import { RouteConfigEditor } from "./route-config-editor";
import { serverIssues } from "./route-source-editor";

export function CreateRouteDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [source, setSource] = useState(STARTER_ROUTE);
  const create = useFormMutation(trpc.routes.create.mutationOptions(), {
    onClose: () => onOpenChange(false),
    success: (_, input) => `Created route ${input.name}`,
    invalidate: [trpc.routes.list.queryKey()],
    onDone: (created) => router.push(`/projects/${projectId}/routes/${created.routeId}`),
  });
  return (
    <FormDialog
      open={open}
      {...create.formDialog}
      title="New route"
      description="Version 1 is saved and made active; later edits become new versions."
      className="max-w-2xl"
      submitLabel="Create route"
      onSubmit={() => create.submit({ name, description, source, commitMessage: "Created" })}
      formClassName="flex flex-col gap-4"
    >
      <div className="grid grid-cols-[1fr_2fr] gap-3">
        <Field
          label="Name"
          htmlFor="route-name"
          hint="The model clients send, or * for every model"
          error={create.fieldError("name")}
        >
          <Input id="route-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Description" htmlFor="route-description">
          <Input id="route-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <RouteConfigEditor value={source} onChange={setSource} saveIssues={serverIssues(create.error)} />
      <FormError error={create.error} fields={["name", "source"]} />
    </FormDialog>
  );
}
