"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, toast } from "@/components/ui";
import { RouteSourceEditor, STARTER_ROUTE, serverIssues } from "./route-source-editor";

export function CreateRouteDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [source, setSource] = useState(STARTER_ROUTE);
  const create = useMutation(trpc.routes.create.mutationOptions());
  const close = () => {
    onOpenChange(false);
    create.reset();
  };
  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title="New route"
      description="Version 1 is saved and made active; later edits become new versions."
      className="max-w-2xl"
      submitLabel="Create route"
      pending={create.isPending}
      onSubmit={async () => {
        try {
          const created = await create.mutateAsync({ name, description, source, commitMessage: "Created" });
          toast.success(`Created route ${name}`);
          void queryClient.invalidateQueries({ queryKey: trpc.routes.list.queryKey() });
          close();
          router.push(`/projects/${projectId}/routes/${created.routeId}`);
        } catch {
          // shown in the form
        }
      }}
      formClassName="flex flex-col gap-4"
    >
      <div className="grid grid-cols-[1fr_2fr] gap-3">
        <Field
          label="Name"
          htmlFor="route-name"
          hint="The model clients send, or * for every model"
          error={fieldError(create.error, "name")}
        >
          <Input id="route-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Description" htmlFor="route-description">
          <Input id="route-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <RouteSourceEditor value={source} onChange={setSource} saveIssues={serverIssues(create.error)} />
      <FormError error={create.error} fields={["name", "source"]} />
    </FormDialog>
  );
}
