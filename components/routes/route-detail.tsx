"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import {
  Badge,
  Button,
  ConfirmDialog,
  DataTable,
  type DataTableColumn,
  ErrorState,
  LoadingState,
  PageHeader,
  Tabs,
  toast,
} from "@/components/ui";
import { RouteDiff } from "./route-diff";
import { RouteEditor } from "./route-editor";
import { RouteHealth } from "./route-health";
import type { RouteDetailData } from "./types";
import { READ_ONLY_REASON, WhyDisabled } from "./write-access";

type Version = RouteDetailData["versions"][number];
type Activation = RouteDetailData["activations"][number];

export function RouteDetail({ routeId }: { routeId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const [tab, setTab] = useState("versions");
  const [deleting, setDeleting] = useState(false);
  const route = useQuery(trpc.routes.get.queryOptions({ id: routeId }));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.routes.get.queryKey({ id: routeId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.routes.list.queryKey() });
  };
  const activate = useMutation(trpc.routes.activate.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.routes.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.routes.delete.mutationOptions());
  if (route.isLoading) return <LoadingState label="Loading route…" />;
  if (route.error || !route.data)
    return <ErrorState message={route.error?.message ?? "Route not found"} onRetry={() => void route.refetch()} />;
  const r = route.data;
  const writable = can("gateway:write");

  const versionColumns: DataTableColumn<Version>[] = [
    { key: "v", header: "Version", className: "w-20", cell: (v) => <span className="font-medium">v{v.version}</span> },
    { key: "format", header: "Format", className: "w-20", cell: (v) => <Badge>{v.format.toUpperCase()}</Badge> },
    {
      key: "message",
      header: "Commit message",
      cell: (v) => v.commitMessage || <span className="text-muted-foreground">—</span>,
    },
    { key: "author", header: "Author", cell: (v) => `${v.authorLabel}, ${formatRelative(v.createdAt)}` },
    {
      key: "active",
      header: <span className="sr-only">Active</span>,
      className: "w-44 text-right",
      cell: (v) =>
        v.active ? (
          <Badge tone="success">active</Badge>
        ) : (
          <WhyDisabled reason={writable ? null : READ_ONLY_REASON}>
            <Button
              size="sm"
              variant="secondary"
              disabled={activate.isPending || !writable}
              onClick={async () => {
                try {
                  await activate.mutateAsync({ routeId, version: v.version });
                  toast.success(
                    (r.activeVersion ?? 0) > v.version ? `Rolled back to v${v.version}` : `Activated v${v.version}`,
                  );
                } catch (error) {
                  toast.error((error as Error).message);
                }
              }}
            >
              {(r.activeVersion ?? 0) > v.version ? "Roll back to this" : "Activate"}
            </Button>
          </WhyDisabled>
        ),
    },
  ];
  const activationColumns: DataTableColumn<Activation>[] = [
    { key: "when", header: "When", cell: (a) => formatRelative(a.createdAt) },
    {
      key: "move",
      header: "Change",
      cell: (a) => (
        <span>
          {a.fromVersion ? `v${a.fromVersion}` : "—"} → v{a.toVersion}{" "}
          {a.fromVersion !== null && a.toVersion < a.fromVersion && <Badge tone="warning">rollback</Badge>}
        </span>
      ),
    },
    { key: "reason", header: "Reason", cell: (a) => a.reason || "—" },
    { key: "who", header: "By", cell: (a) => a.actorLabel },
  ];

  return (
    <>
      <PageHeader
        title={<span className="font-mono">{r.name}</span>}
        description={
          r.description ||
          (r.name === "*" ? "The default route: applies to every model without its own route." : "Gateway route")
        }
        breadcrumbs={[{ label: "Routes", href: `/projects/${projectId}/routes` }, { label: r.name }]}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            {r.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}
            <WhyDisabled reason={writable ? null : READ_ONLY_REASON}>
              <Button
                variant="secondary"
                disabled={update.isPending || !writable}
                onClick={() => update.mutate({ routeId, enabled: !r.enabled })}
              >
                {r.enabled ? "Disable" : "Enable"}
              </Button>
              <Button variant="ghost" disabled={!writable} onClick={() => setDeleting(true)} aria-label="Delete route">
                <Trash2 className="size-4" aria-hidden />
              </Button>
            </WhyDisabled>
          </div>
        }
      />
      <Tabs
        aria-label="Route sections"
        value={tab}
        onValueChange={setTab}
        tabs={[
          { value: "versions", label: `Versions (${r.versions.length})` },
          { value: "editor", label: writable ? "Edit" : "Config" },
          { value: "diff", label: "Diff" },
          { value: "health", label: "Health" },
          { value: "history", label: "Activation history" },
        ]}
      />
      {tab === "versions" && (
        <DataTable caption="Versions" columns={versionColumns} rows={r.versions} rowKey={(v) => v.id} />
      )}
      {tab === "editor" && <RouteEditor route={r} onSaved={() => setTab("versions")} />}
      {tab === "diff" && <RouteDiff route={r} />}
      {tab === "health" && <RouteHealth routeId={routeId} />}
      {tab === "history" && (
        <DataTable
          caption="Activation history"
          columns={activationColumns}
          rows={r.activations}
          rowKey={(a) => `${a.createdAt.toString()}-${a.toVersion}`}
        />
      )}
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete route ${r.name}?`}
        description="Its versions and history are deleted; requests for this model fall back to the * route or the registry. The audit log keeps the record."
        confirmLabel="Delete route"
        tone="danger"
        loading={remove.isPending}
        onConfirm={async () => {
          await remove.mutateAsync({ id: routeId });
          void queryClient.invalidateQueries({ queryKey: trpc.routes.list.queryKey() });
          toast.success(`Deleted route ${r.name}`);
          router.push(`/projects/${projectId}/routes`);
        }}
      />
    </>
  );
}
