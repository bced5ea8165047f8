"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { Field, FormDialog, Input, Select, toast } from "@/components/ui";
import { ROLE_LABELS, ROLES, type RoleName } from "@/lib/scopes";

const FIELDS = ["email", "role", "name", "password"];

export function AddMemberDialog({
  open,
  onOpenChange,
  onAdded,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onAdded: () => void;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState({ email: "", role: "editor" as RoleName, name: "", password: "" });
  const add = useMutation(trpc.members.add.mutationOptions());
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const close = () => {
    onOpenChange(false);
    setForm({ email: "", role: "editor", name: "", password: "" });
    add.reset();
  };

  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title="Add member"
      description="Add an existing account by e-mail, or create the account with an initial password to hand over."
      submitLabel="Add member"
      pending={add.isPending}
      onSubmit={async () => {
        try {
          const member = await add.mutateAsync({
            email: form.email,
            role: form.role,
            name: form.name || undefined,
            password: form.password || undefined,
          });
          toast.success(`Added ${member.email} as ${member.role}`);
          onAdded();
          close();
        } catch {
          // shown in the form
        }
      }}
      formClassName="flex flex-col gap-4"
    >
      <Field label="E-mail" htmlFor="member-email" error={fieldError(add.error, "email")}>
        <Input id="member-email" type="email" value={form.email} onChange={set("email")} data-autofocus />
      </Field>
      <Field label="Role" htmlFor="member-role" hint={ROLE_LABELS[form.role]} error={fieldError(add.error, "role")}>
        <Select id="member-role" value={form.role} onChange={set("role")}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Name (new account)" htmlFor="member-name" error={fieldError(add.error, "name")}>
          <Input id="member-name" value={form.name} onChange={set("name")} />
        </Field>
        <Field
          label="Initial password (new account)"
          htmlFor="member-password"
          error={fieldError(add.error, "password")}
        >
          <Input
            id="member-password"
            type="password"
            value={form.password}
            onChange={set("password")}
            autoComplete="new-password"
          />
        </Field>
      </div>
      <FormError error={add.error} fields={FIELDS} />
    </FormDialog>
  );
}
