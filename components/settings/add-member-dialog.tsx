"use client";

import { useState } from "react";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useFormMutation } from "@/components/providers/use-form-mutation";
import { Field, FormDialog, Input, Select } from "@/components/ui";
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
  const add = useFormMutation(trpc.members.add.mutationOptions(), {
    onClose: () => {
      onOpenChange(false);
      setForm({ email: "", role: "editor", name: "", password: "" });
    },
    success: (member) => `Added ${member.email} as ${member.role}`,
    onDone: onAdded,
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <FormDialog
      open={open}
      {...add.formDialog}
      title="Add member"
      description="Add an existing account by e-mail, or create the account with an initial password to hand over."
      submitLabel="Add member"
      onSubmit={() =>
        add.submit({
          email: form.email,
          role: form.role,
          name: form.name || undefined,
          password: form.password || undefined,
        })
      }
      formClassName="flex flex-col gap-4"
    >
      <Field label="E-mail" htmlFor="member-email" error={add.fieldError("email")}>
        <Input id="member-email" type="email" value={form.email} onChange={set("email")} data-autofocus />
      </Field>
      <Field label="Role" htmlFor="member-role" hint={ROLE_LABELS[form.role]} error={add.fieldError("role")}>
        <Select id="member-role" value={form.role} onChange={set("role")}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Name (new account)" htmlFor="member-name" error={add.fieldError("name")}>
          <Input id="member-name" value={form.name} onChange={set("name")} />
        </Field>
        <Field label="Initial password (new account)" htmlFor="member-password" error={add.fieldError("password")}>
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
