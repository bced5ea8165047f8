"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TriangleAlert } from "lucide-react";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  KeyLimitsFields,
  LIMIT_FIELDS,
  type LimitsDraft,
  limitsInput,
  NO_LIMITS,
} from "@/components/settings/key-limits-fields";
import { Button, Checkbox, CopyButton, Dialog, Field, FormDialog, Input, Select, toast } from "@/components/ui";
import { SCOPES, type Scope } from "@/lib/scopes";

const READ_ONLY = SCOPES.filter((s) => s.endsWith(":read"));
const groups = [...new Set(SCOPES.map((s) => s.split(":")[0]))];

export function CreateApiKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectAccess();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(READ_ONLY);
  const [expires, setExpires] = useState("never");
  const [limits, setLimits] = useState<LimitsDraft>(NO_LIMITS);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );
  const created = create.data;

  const close = () => {
    onOpenChange(false);
    setName("");
    setScopes(READ_ONLY);
    setExpires("never");
    setLimits(NO_LIMITS);
    create.reset();
  };
  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={(o) => !o && close()}
        title="Copy your new API key"
        description={`"${created.name}" is ready. This is the only time the key is shown.`}
        footer={<Button onClick={close}>Done</Button>}
      >
        <div className="flex flex-col gap-3">
          <div className="flex items-center gap-2 rounded-md border border-border bg-muted p-2">
            <code data-testid="new-api-key" className="flex-1 break-all font-mono text-sm">
              {created.key}
            </code>
            <CopyButton value={created.key} label="Copy API key" onCopied={() => toast.success("Copied")} />
          </div>
          <p className="flex items-start gap-2 text-sm text-warning">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            Store it in your secret manager now. Switchyard keeps only a hash and cannot show it again.
          </p>
          <pre className="overflow-x-auto rounded-md bg-muted p-3 font-mono text-xs">
            {`curl -H "Authorization: Bearer ${created.key}" \\\n  ${typeof window === "undefined" ? "" : window.location.origin}/api/rest/project`}
          </pre>
        </div>
      </Dialog>
    );
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => !o && close()}
      title="Create API key"
      description="A key acts in this project with the scopes you give it, never more than your own."
      className="max-w-xl"
      submitLabel="Create key"
      pending={create.isPending}
      onSubmit={() =>
        create.mutate({
          name,
          scopes,
          expiresInDays: expires === "never" ? null : Number(expires),
          ...limitsInput(limits),
        })
      }
    >
      <Field
        label="Name"
        htmlFor="key-name"
        error={fieldError(create.error, "name")}
        hint="Who or what uses it, e.g. ci-deploy"
      >
        <Input id="key-name" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
      </Field>
      <Field label="Expires" htmlFor="key-expiry">
        <Select id="key-expiry" value={expires} onChange={(e) => setExpires(e.target.value)}>
          <option value="never">Never</option>
          <option value="30">In 30 days</option>
          <option value="90">In 90 days</option>
          <option value="365">In a year</option>
        </Select>
      </Field>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 flex w-full items-center justify-between font-medium text-sm">
          Scopes
          <span className="flex gap-1">
            <Button type="button" size="sm" variant="ghost" onClick={() => setScopes(READ_ONLY.filter(can))}>
              Read only
            </Button>
            <Button type="button" size="sm" variant="ghost" onClick={() => setScopes(SCOPES.filter(can))}>
              All I have
            </Button>
          </span>
        </legend>
        <div className="grid grid-cols-2 gap-x-6 gap-y-2 rounded-md border border-border p-3">
          {groups.map((group) => (
            <div key={group} className="flex flex-col gap-1">
              {SCOPES.filter((s) => s.startsWith(`${group}:`)).map((scope) => (
                <Checkbox
                  key={scope}
                  label={<code className="font-mono text-xs">{scope}</code>}
                  checked={scopes.includes(scope)}
                  disabled={!can(scope)}
                  onChange={(e) => toggle(scope, e.target.checked)}
                />
              ))}
            </div>
          ))}
        </div>
        {fieldError(create.error, "scopes") && (
          <p role="alert" className="text-danger text-sm">
            {fieldError(create.error, "scopes")}
          </p>
        )}
      </fieldset>
      <KeyLimitsFields draft={limits} onChange={setLimits} error={create.error} idPrefix="new-key" />
      <FormError error={create.error} fields={["name", "scopes", ...LIMIT_FIELDS]} />
    </FormDialog>
  );
}
