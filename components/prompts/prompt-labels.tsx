"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { History, Lock, LockOpen, Undo2 } from "lucide-react";
import { useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import type { PromptDetailData } from "@/components/prompts/prompt-detail";
import { fieldError, formError } from "@/components/providers/errors";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  Card,
  CardContent,
  DataTable,
  type DataTableColumn,
  EmptyState,
  Field,
  Input,
  Select,
  toast,
} from "@/components/ui";
import type { AppRouter } from "@/server/trpc/root";

type LabelEvent = inferRouterOutputs<AppRouter>["prompts"]["labelHistory"][number];

export function PromptLabels({ prompt }: { prompt: PromptDetailData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const [form, setForm] = useState({
    label: "production",
    version: String(prompt.versions[0]?.version ?? ""),
    reason: "",
  });
  const history = useQuery(trpc.prompts.labelHistory.queryOptions({ promptId: prompt.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ id: prompt.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey({ promptId: prompt.id }) }),
    ]);
  const move = useMutation(trpc.prompts.moveLabel.mutationOptions({ onSuccess: () => void refresh() }));
  const protect = useMutation(
    trpc.prompts.protectLabel.mutationOptions({
      onSuccess: (r) => {
        toast.success(`${r.label} is ${r.protected ? "protected" : "no longer protected"}`);
        void refresh();
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const mayWrite = can("prompts:write");
  const isAdmin = role === "owner" || role === "admin";
  const newest = new Set<string>();
  const undoable = new Set<string>();
  for (const e of history.data ?? [])
    if (!newest.has(e.label)) {
      newest.add(e.label);
      if (e.fromVersion !== null) undoable.add(e.id);
    }
  const doMove = async (label: string, version: number, reason: string) => {
    try {
      await move.mutateAsync({ promptId: prompt.id, label, version, reason });
      toast.success(`${label} → v${version}`);
    } catch (error) {
      toast.error((error as Error).message);
    }
  };

  const columns: DataTableColumn<LabelEvent>[] = [
    {
      key: "when",
      header: "When",
      cell: (e) => <span title={formatDateTime(e.createdAt)}>{formatRelative(e.createdAt)}</span>,
    },
    { key: "label", header: "Label", cell: (e) => <Badge tone="accent">{e.label}</Badge> },
    {
      key: "move",
      header: "Move",
      cell: (e) => (
        <span className="font-mono text-xs">
          {e.fromVersion ? `v${e.fromVersion}` : "new"} → v{e.toVersion}
        </span>
      ),
    },
    { key: "reason", header: "Reason", cell: (e) => e.reason || "—" },
    { key: "who", header: "By", cell: (e) => e.actorLabel },
    {
      key: "undo",
      header: <span className="sr-only">Actions</span>,
      className: "w-36 text-right",
      cell: (e) =>
        mayWrite && undoable.has(e.id) ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Roll back ${e.label} to v${e.fromVersion}`}
            onClick={() => void doMove(e.label, e.fromVersion!, `rollback from v${e.toVersion}`)}
          >
            <Undo2 className="size-4" aria-hidden /> Roll back
          </Button>
        ) : null,
    },
  ];

  return (
    <section className="flex flex-col gap-4" aria-label="Labels">
      <div className="grid grid-cols-[1fr_2fr] gap-4">
        <Card>
          <CardContent className="pt-4">
            <h3 className="mb-2 font-medium text-sm">Labels</h3>
            <ul className="flex flex-col gap-1.5 text-sm">
              <li className="flex items-center justify-between">
                <Badge>latest</Badge>
                <span className="font-mono text-xs">v{prompt.latestVersion}</span>
              </li>
              {prompt.labels.map((l) => (
                <li key={l.name} className="flex items-center justify-between gap-2">
                  <Badge tone={l.name === "production" ? "success" : "accent"}>{l.name}</Badge>
                  <span className="flex-1 text-right font-mono text-xs">v{l.version}</span>
                  {isAdmin && (
                    <Button
                      size="icon"
                      variant="ghost"
                      aria-label={`${l.protected ? "Unprotect" : "Protect"} ${l.name}`}
                      title={l.protected ? "Protected: only owners and admins move it" : "Protect"}
                      onClick={() => protect.mutate({ promptId: prompt.id, label: l.name, protected: !l.protected })}
                    >
                      {l.protected ? (
                        <Lock className="size-4" aria-hidden />
                      ) : (
                        <LockOpen className="size-4" aria-hidden />
                      )}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
        {mayWrite && (
          <Card>
            <CardContent className="pt-4">
              <h3 className="mb-2 font-medium text-sm">Move a label</h3>
              <form
                className="grid grid-cols-[1fr_8rem_2fr_auto] items-end gap-2"
                onSubmit={(e) => {
                  e.preventDefault();
                  void doMove(form.label, Number(form.version), form.reason);
                }}
              >
                <Field label="Label" htmlFor="label-name" error={fieldError(move.error, "label")}>
                  <Input
                    id="label-name"
                    list="label-names"
                    value={form.label}
                    onChange={(e) => setForm({ ...form, label: e.target.value })}
                  />
                </Field>
                <datalist id="label-names">
                  {["production", "staging", ...prompt.labels.map((l) => l.name)].map((n) => (
                    <option key={n} value={n} />
                  ))}
                </datalist>
                <Field label="Version" htmlFor="label-version">
                  <Select
                    id="label-version"
                    value={form.version}
                    onChange={(e) => setForm({ ...form, version: e.target.value })}
                  >
                    {prompt.versions.map((v) => (
                      <option key={v.id} value={v.version}>
                        v{v.version}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Reason" htmlFor="label-reason">
                  <Input
                    id="label-reason"
                    value={form.reason}
                    onChange={(e) => setForm({ ...form, reason: e.target.value })}
                  />
                </Field>
                <Button type="submit" loading={move.isPending}>
                  Move
                </Button>
              </form>
              {formError(move.error, ["label"]) && (
                <p role="alert" className="mt-2 text-danger text-sm">
                  {formError(move.error, ["label"])}
                </p>
              )}
            </CardContent>
          </Card>
        )}
      </div>
      <h3 className="font-medium text-sm">Label history</h3>
      <DataTable
        caption="Label history"
        columns={columns}
        rows={history.data}
        rowKey={(e) => e.id}
        loading={history.isLoading}
        error={history.error}
        empty={<EmptyState icon={History} title="No label moves yet" />}
      />
    </section>
  );
}
