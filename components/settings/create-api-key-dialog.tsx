"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  KeyLimitsFields,
  LIMIT_FIELDS,
  type LimitsDraft,
  limitsInput,
  NO_LIMITS,
} from "@/components/settings/key-limits-fields";
import { KeyPurposeFields } from "@/components/settings/key-purpose-fields";
import { NewKeyPanel } from "@/components/settings/new-key-panel";
import { Button, Dialog, Field, FormDialog, Input, Select } from "@/components/ui";
import { apiKeyDraft } from "@/lib/api-key-form";
import { scopesForPurpose } from "@/lib/api-key-presets";
import type { Scope } from "@/lib/scopes";

export function CreateApiKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectAccess();
  const [name, setName] = useState("");
  // Null until the user picks: the gateway purpose, as far as the role allows (the role loads with the page).
  const [picked, setScopes] = useState<Scope[] | null>(null);
  const scopes = picked ?? scopesForPurpose("gateway", can);
  const [expires, setExpires] = useState("never");
  const [limits, setLimits] = useState<LimitsDraft>(NO_LIMITS);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );
  const created = create.data;
  const live = useLiveValidation(apiKeyDraft, { name, scopes });
  // Loaded while the form is filled in, so the shown-once snippet names a real model at once.
  useQuery({ ...trpc.models.list.queryOptions({ pageSize: 100 }), enabled: open });

  const close = () => {
    onOpenChange(false);
    setName("");
    setScopes(null);
    setExpires("never");
    setLimits(NO_LIMITS);
    create.reset();
  };

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={(o) => !o && close()}
        title="Copy your new API key"
        description={`"${created.name}" is ready. This is the only time the key is shown.`}
        className="max-w-2xl"
        footer={<Button onClick={close}>Done</Button>}
      >
        <NewKeyPanel apiKey={created.key} scopes={created.scopes} />
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
      onSubmit={() => {
        live.showAll();
        if (!live.valid) return;
        create.mutate({
          name,
          scopes,
          expiresInDays: expires === "never" ? null : Number(expires),
          ...limitsInput(limits),
        });
      }}
    >
      <Field
        label="Name"
        htmlFor="key-name"
        error={live.error("name") ?? fieldError(create.error, "name")}
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
      <KeyPurposeFields
        scopes={scopes}
        onChange={setScopes}
        error={live.error("scopes") ?? fieldError(create.error, "scopes")}
      />
      <KeyLimitsFields draft={limits} onChange={setLimits} error={create.error} idPrefix="new-key" />
      <FormError error={create.error} fields={["name", "scopes", ...LIMIT_FIELDS]} />
    </FormDialog>
  );
}
