"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UserPlus, Users } from "lucide-react";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog, WithReason } from "@/components/providers/use-create-dialog";
import { tableState } from "@/components/providers/use-list-query";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { AddMemberDialog } from "@/components/settings/add-member-dialog";
import { Button, ConfirmDialog, DataTable, type DataTableColumn, EmptyState, Select, toast } from "@/components/ui";
import { ROLES, type RoleName } from "@/lib/scopes";

type Member = RouterOutputs["members"]["list"][number];

export function MembersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const add = useCreateDialog("members:write", "Add member", UserPlus);
  const [removing, setRemoving] = useState<Member | null>(null);
  const members = useQuery(trpc.members.list.queryOptions({}));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const updateRole = useMutation(
    trpc.members.updateRole.mutationOptions({
      onSuccess: (m) => {
        toast.success(`${m.email} is now ${m.role}`);
        void refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: () => void refresh() }));
  const mayWrite = can("members:write");
  const denied = mayWrite ? undefined : deniedReason(role, "members:write");

  const columns: DataTableColumn<Member>[] = [
    {
      key: "user",
      header: "Member",
      cell: (m) => (
        <div>
          <div className="font-medium">{m.name}</div>
          <div className="text-muted-foreground text-xs">{m.email}</div>
        </div>
      ),
    },
    {
      key: "role",
      header: "Role",
      className: "w-44",
      cell: (m) => (
        <WithReason why={denied}>
          <Select
            aria-label={`Role of ${m.email}`}
            value={m.role}
            disabled={!mayWrite || updateRole.isPending}
            title={denied}
            onChange={(e) => updateRole.mutate({ userId: m.userId, role: e.target.value as RoleName })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </WithReason>
      ),
    },
    { key: "since", header: "Member since", cell: (m) => formatRelative(m.createdAt) },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "w-24 text-right",
      cell: (m) => (
        <WithReason why={denied}>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => setRemoving(m)}
            aria-label={`Remove ${m.email}`}
            disabled={!mayWrite}
            title={denied}
          >
            Remove
          </Button>
        </WithReason>
      ),
    },
  ];

  return (
    <section aria-labelledby="members-title" className="flex flex-col gap-4">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h2 id="members-title" className="font-semibold text-base">
            Members
          </h2>
          <p className="text-muted-foreground text-sm">
            Roles: owners can do everything; admins manage members and keys; editors change models, prompts and data;
            viewers read.
          </p>
        </div>
        {add.button}
      </div>
      <DataTable
        caption="Members"
        columns={columns}
        rowKey={(m) => m.userId}
        {...tableState(members)}
        empty={<EmptyState icon={Users} title="No members" />}
      />
      <AddMemberDialog {...add.dialog} onAdded={() => void refresh()} />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove ${removing?.email}?`}
        description="They lose access to this project at once: the API keys they created here are revoked, and they are signed out everywhere. Their account and other projects are kept."
        confirmLabel="Remove member"
        tone="danger"
        onConfirm={async () => {
          if (!removing) return;
          try {
            await remove.mutateAsync({ userId: removing.userId });
            toast.success(`Removed ${removing.email}`);
            setRemoving(null);
          } catch (error) {
            toast.error((error as Error).message);
            throw error;
          }
        }}
      />
    </section>
  );
}
