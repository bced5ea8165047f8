"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { History, Undo2 } from "lucide-react";
import { useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import type { ModelDetailData } from "@/components/models/versions-panel";
import { fieldError, formError } from "@/components/providers/errors";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  Card,
  CardContent,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  EmptyState,
  Field,
  Input,
  Select,
  toast,
} from "@/components/ui";
import type { AppRouter } from "@/server/trpc/root";

type AliasEvent = inferRouterOutputs<AppRouter>["models"]["aliasHistory"][number];

/** Current aliases, a form to move one, and the deployment log with one-click rollback. */
export function AliasesPanel({ model }: { model: ModelDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectAccess();
  const [form, setForm] = useState({
    alias: "production",
    version: String(model.versions[0]?.version ?? ""),
    reason: "",
  });
  const [rollback, setRollback] = useState<AliasEvent | null>(null);
  const history = useQuery(trpc.models.aliasHistory.queryOptions({ modelId: model.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.models.get.queryKey({ id: model.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.models.aliasHistory.queryKey({ modelId: model.id }) }),
    ]);
  const move = useMutation(trpc.models.moveAlias.mutationOptions({ onSuccess: () => void refresh() }));
  const mayWrite = can("models:write");
  // The newest event per alias is the one a rollback undoes.
  const latestPerAlias = new Set<string>();
  const undoable = new Set<string>();
  for (const e of history.data ?? [])
    if (!latestPerAlias.has(e.alias)) {
      latestPerAlias.add(e.alias);
      if (e.fromVersion !== null && e.toVersion !== null) undoable.add(e.id);
    }

  const columns: DataTableColumn<AliasEvent>[] = [
    {
      key: "when",
      header: "When",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
    },
    { key: "alias", header: "Alias", cell: (e) => <Badge tone="accent">{e.alias}</Badge> },
    {
      key: "move",
      header: "Move",
      cell: (e) => (
        <span className="font-mono text-xs">
          {e.fromVersion ? `v${e.fromVersion}` : "new"} → {e.toVersion ? `v${e.toVersion}` : "removed"}
        </span>
      ),
    },
    { key: "reason", header: "Reason", cell: (e) => <span className="text-muted-foreground">{e.reason || "—"}</span> },
    { key: "who", header: "By", cell: (e) => e.actorLabel },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "w-32 text-right",
      cell: (e) =>
        mayWrite && undoable.has(e.id) ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setRollback(e)}
            aria-label={`Roll back ${e.alias} to v${e.fromVersion}`}
          >
            <Undo2 className="size-4" aria-hidden /> Roll back
          </Button>
        ) : null,
    },
  ];

  return (
    <section className="flex flex-col gap-4" aria-label="Aliases and deployments">
      <div className="grid grid-cols-[1fr_2fr] gap-4">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Current aliases</h3>
            {model.aliases.length === 0 ? (
              <p className="text-muted-foreground text-sm">
                No aliases yet. Point `production` at a version to deploy it.
              </p>
            ) : (
              <ul className="flex flex-col gap-1.5 text-sm">
                {model.aliases.map((a) => (
                  <li key={a.name} className="flex items-center justify-between">
                    <Badge tone={a.name === "production" ? "success" : "accent"}>{a.name}</Badge>
                    <span className="font-mono text-xs">v{a.version}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        {mayWrite && (
          <Card>
            <CardContent className="pt-4">
              <h3 className="mb-2 font-medium text-sm">Move an alias</h3>
              <form
                className="grid grid-cols-[1fr_8rem_2fr_auto] items-end gap-2"
                onSubmit={async (e) => {
                  e.preventDefault();
                  try {
                    await move.mutateAsync({
                      modelId: model.id,
                      alias: form.alias,
                      version: Number(form.version),
                      reason: form.reason,
                    });
                    toast.success(`${form.alias} → v${form.version}`);
                    setForm((f) => ({ ...f, reason: "" }));
                  } catch {
                    // shown below
                  }
                }}
              >
                <Field label="Alias" htmlFor="alias-name" error={fieldError(move.error, "alias")}>
                  <Input
                    id="alias-name"
                    list="alias-names"
                    value={form.alias}
                    onChange={(e) => setForm({ ...form, alias: e.target.value })}
                  />
                </Field>
                <datalist id="alias-names">
                  {["production", "staging", "champion", "canary", ...model.aliases.map((a) => a.name)].map((n) => (
                    <option key={n} value={n} />
                  ))}
                </datalist>
                <Field label="Version" htmlFor="alias-version" error={fieldError(move.error, "version")}>
                  <Select
                    id="alias-version"
                    value={form.version}
                    onChange={(e) => setForm({ ...form, version: e.target.value })}
                  >
                    {model.versions.map((v) => (
                      <option key={v.id} value={v.version}>
                        v{v.version}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Reason" htmlFor="alias-reason">
                  <Input
                    id="alias-reason"
                    value={form.reason}
                    onChange={(e) => setForm({ ...form, reason: e.target.value })}
                  />
                </Field>
                <Button type="submit" loading={move.isPending} disabled={model.versions.length === 0}>
                  Move
                </Button>
              </form>
              {formError(move.error, ["alias", "version"]) && (
                <p role="alert" className="mt-2 text-danger text-sm">
                  {formError(move.error, ["alias", "version"])}
                </p>
              )}
            </CardContent>
          </Card>
        )}
      </div>
      <h3 className="font-medium text-sm">Deployment log</h3>
      <DataTable
        caption="Deployment log"
        columns={columns}
        rows={history.data}
        rowKey={(e) => e.id}
        loading={history.isLoading}
        error={history.error}
        onRetry={() => void history.refetch()}
        empty={<EmptyState icon={History} title="No alias moves yet" />}
      />
      <ConfirmDialog
        open={rollback !== null}
        onOpenChange={(o) => !o && setRollback(null)}
        title={`Roll ${rollback?.alias} back to v${rollback?.fromVersion}?`}
        description={`${rollback?.alias} points at v${rollback?.toVersion} now. Traffic using it moves back to v${rollback?.fromVersion} at once.`}
        confirmLabel="Roll back"
        tone="primary"
        onConfirm={async () => {
          if (!rollback?.fromVersion) return;
          try {
            await move.mutateAsync({
              modelId: model.id,
              alias: rollback.alias,
              version: rollback.fromVersion,
              reason: `rollback from v${rollback.toVersion}`,
            });
            toast.success(`${rollback.alias} rolled back to v${rollback.fromVersion}`);
            setRollback(null);
          } catch (error) {
            toast.error((error as Error).message);
            throw error;
          }
        }}
      />
    </section>
  );
}
