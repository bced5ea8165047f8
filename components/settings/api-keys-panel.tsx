"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog, WithReason } from "@/components/providers/use-create-dialog";
import { tableState } from "@/components/providers/use-list-query";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { CreateApiKeyDialog } from "@/components/settings/create-api-key-dialog";
import { KeyLimitsDialog } from "@/components/settings/key-limits-dialog";
import { KeyUsageCell } from "@/components/settings/key-usage-cell";
import { ScopeList } from "@/components/settings/scope-list";
import {
  Badge,
  Button,
  Checkbox,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  EmptyState,
  toast,
} from "@/components/ui";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

function status(key: ApiKey) {
  if (key.revokedAt) return <Badge tone="neutral">Revoked</Badge>;
  if (key.expiresAt && new Date(key.expiresAt).getTime() < Date.now()) return <Badge tone="warning">Expired</Badge>;
  return (
    <Badge tone="success" dot>
      Active
    </Badge>
  );
}

export function ApiKeysPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const create = useCreateDialog("apiKeys:write", "Create key");
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [limiting, setLimiting] = useState<ApiKey | null>(null);
  // Polled slowly so "Last used" follows the gateway's traffic.
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ includeRevoked }, { refetchInterval: 30_000 }));
  // Live counters: the minute windows move, so poll while the page is open.
  const usage = useQuery(trpc.apiKeys.usage.queryOptions({}, { refetchInterval: 5_000 }));
  const usageById = new Map((usage.data ?? []).map((u) => [u.id, u]));
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: (key) => {
        toast.success(`Revoked ${key.name}`);
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const mayWrite = can("apiKeys:write");
  const denied = mayWrite ? undefined : deniedReason(role, "apiKeys:write");

  const columns: DataTableColumn<ApiKey>[] = [
    { key: "name", header: "Name", cell: (k) => <span className="font-medium">{k.name}</span> },
    { key: "prefix", header: "Key", cell: (k) => <code className="font-mono text-xs">{k.prefix}…</code> },
    {
      key: "scopes",
      header: "Scopes",
      cell: (k) => <ScopeList scopes={k.scopes} />,
    },
    { key: "status", header: "Status", cell: status },
    {
      key: "usage",
      header: "Usage vs limits",
      cell: (k) => (k.revokedAt ? null : <KeyUsageCell apiKey={k} usage={usageById.get(k.id)} />),
    },
    {
      key: "lastUsed",
      header: "Last used",
      cell: (k) => <span title={formatDateTime(k.lastUsedAt)}>{formatRelative(k.lastUsedAt)}</span>,
    },
    {
      key: "created",
      header: "Created",
      cell: (k) => (
        <span title={formatDateTime(k.createdAt)} className="text-muted-foreground">
          {formatRelative(k.createdAt)}
          {k.createdBy ? ` by ${k.createdBy}` : ""}
        </span>
      ),
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "w-40 text-right",
      cell: (k) =>
        k.revokedAt ? null : (
          <WithReason why={denied}>
            <div className="flex justify-end gap-1">
              <Button
                variant="ghost"
                size="sm"
                onClick={() => setLimiting(k)}
                aria-label={`Limits of ${k.name}`}
                disabled={!mayWrite}
                title={denied}
              >
                Limits
              </Button>
              <Button
                variant="ghost"
                size="sm"
                onClick={() => setRevoking(k)}
                aria-label={`Revoke ${k.name}`}
                disabled={!mayWrite}
                title={denied}
              >
                Revoke
              </Button>
            </div>
          </WithReason>
        ),
    },
  ];

  return (
    <section aria-labelledby="api-keys-title" className="flex flex-col gap-4">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h2 id="api-keys-title" className="font-semibold text-base">
            API keys
          </h2>
          <p className="text-muted-foreground text-sm">
            Keys authenticate the REST API, tRPC and the gateway as <code>Authorization: Bearer sy_…</code>. Only a hash
            is stored: a key is shown once, when it is created.
          </p>
        </div>
        {create.button}
      </div>
      <DataTable
        caption="API keys"
        columns={columns}
        rowKey={(k) => k.id}
        {...tableState(keys)}
        toolbar={
          <Checkbox
            label="Show revoked keys"
            checked={includeRevoked}
            onChange={(e) => setIncludeRevoked(e.target.checked)}
          />
        }
        empty={
          <EmptyState
            icon={KeyRound}
            title="No API keys"
            description="Create a key for a CI job, a script or an application calling the gateway."
            action={create.emptyAction}
          />
        }
      />
      <CreateApiKeyDialog {...create.dialog} />
      <KeyLimitsDialog apiKey={limiting} onClose={() => setLimiting(null)} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke "${revoking?.name}"?`}
        description="Requests with this key will be refused from now on. This cannot be undone."
        confirmLabel="Revoke key"
        tone="danger"
        onConfirm={async () => {
          if (revoking) await revoke.mutateAsync({ id: revoking.id });
          setRevoking(null);
        }}
      />
    </section>
  );
}
