"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, toast } from "@/components/ui";

/** Creates a project in an organisation, or (organizationId null) a new organisation with its first project. */
export function CreateProjectDialog({
  target,
  onClose,
  onCreated,
}: {
  target: { organizationId: string | null } | null;
  onClose: () => void;
  onCreated: (projectId: string) => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [projectName, setProjectName] = useState("Default");
  const newOrg = target?.organizationId === null;
  const createProject = useMutation(trpc.projects.create.mutationOptions());
  const createOrg = useMutation(trpc.projects.createOrganization.mutationOptions());
  const mutation = newOrg ? createOrg : createProject;

  const submit = async () => {
    try {
      const project = newOrg
        ? await createOrg.mutateAsync({ name, projectName })
        : await createProject.mutateAsync({ organizationId: target!.organizationId!, name });
      toast.success(newOrg ? `Organisation "${name}" created` : `Project "${project.name}" created`);
      setName("");
      onCreated(project.id);
    } catch {
      // The error is shown next to the field.
    }
  };

  return (
    <FormDialog
      open={target !== null}
      onOpenChange={(open) => !open && onClose()}
      title={newOrg ? "New organisation" : "New project"}
      description={
        newOrg ? "An organisation groups projects; you become its owner." : "You become the owner of the new project."
      }
      submitLabel="Create"
      pending={mutation.isPending}
      onSubmit={submit}
    >
      <Field
        label={newOrg ? "Organisation name" : "Project name"}
        htmlFor="create-name"
        error={fieldError(mutation.error, "name")}
      >
        <Input id="create-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      {newOrg && (
        <Field label="First project" htmlFor="create-project-name" error={fieldError(mutation.error, "projectName")}>
          <Input id="create-project-name" value={projectName} onChange={(e) => setProjectName(e.target.value)} />
        </Field>
      )}
      <FormError error={mutation.error} fields={["name", "projectName"]} />
    </FormDialog>
  );
}
