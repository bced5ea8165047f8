"use client";

import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Field, FormDialog, Input } from "@/components/ui";

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
  const created = (project: { id: string }) => {
    setName("");
    onCreated(project.id);
  };
  const createProject = useFormMutation(trpc.projects.create.mutationOptions(), {
    onClose,
    success: (project) => `Project "${project.name}" created`,
    onDone: created,
  });
  const createOrg = useFormMutation(trpc.projects.createOrganization.mutationOptions(), {
    onClose,
    success: (_, input) => `Organisation "${input.name}" created`,
    onDone: created,
  });
  const mutation = newOrg ? createOrg : createProject;

  return (
    <FormDialog
      open={target !== null}
      {...mutation.formDialog}
      title={newOrg ? "New organisation" : "New project"}
      description={
        newOrg ? "An organisation groups projects; you become its owner." : "You become the owner of the new project."
      }
      submitLabel="Create"
      onSubmit={() =>
        newOrg
          ? createOrg.submit({ name, projectName })
          : createProject.submit({ organizationId: target!.organizationId!, name })
      }
    >
      <Field
        label={newOrg ? "Organisation name" : "Project name"}
        htmlFor="create-name"
        error={mutation.fieldError("name")}
      >
        <Input id="create-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      {newOrg && (
        <Field label="First project" htmlFor="create-project-name" error={mutation.fieldError("projectName")}>
          <Input id="create-project-name" value={projectName} onChange={(e) => setProjectName(e.target.value)} />
        </Field>
      )}
      <FormError error={mutation.error} fields={["name", "projectName"]} />
    </FormDialog>
  );
}
