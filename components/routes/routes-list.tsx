"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Plus, Route } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useListQuery } from "@/components/providers/use-list-query";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, Input, PageHeader, Select } from "@/components/ui";
import { CreateRouteDialog } from "./create-route-dialog";
import { READ_ONLY_REASON, WhyDisabled } from "./write-access";

type RouteRow = RouterOutputs["routes"]["list"]["items"][number];

export function RoutesList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const list = useListQuery({ search: "", enabled: "" });
  const { can, isLoading } = useProjectAccess();
  const readOnly = !isLoading && !can("gateway:write");
  const [creating, setCreating] = useState(false);
  // Viewers see the action disabled, with the reason, rather than no action at all.
  const newRoute = (
    <WhyDisabled reason={readOnly ? READ_ONLY_REASON : null}>
      <Button disabled={readOnly || isLoading} onClick={() => setCreating(true)}>
        <Plus className="size-4" aria-hidden /> New route
      </Button>
    </WhyDisabled>
  );
  const routes = useQuery({
    ...trpc.routes.list.queryOptions({
      ...list.query,
      enabled: list.query.enabled === undefined ? undefined : list.query.enabled === "true",
    }),
    placeholderData: keepPreviousData,
  });

  const columns: DataTableColumn<RouteRow>[] = [
    {
      key: "name",
      header: "Route (model)",
      cell: (r) => (
        <div>
          <Link href={`/projects/${projectId}/routes/${r.id}`} className="font-medium font-mono hover:underline">
            {r.name}
          </Link>
          {r.name === "*" && <span className="ml-2 text-muted-foreground text-xs">default for every model</span>}
          {r.description && <div className="line-clamp-1 text-muted-foreground text-xs">{r.description}</div>}
        </div>
      ),
    },
    {
      key: "deployments",
      header: "Deployments",
      cell: (r) =>
        r.deployments.length === 0 ? (
          <span className="text-muted-foreground text-xs">the requested model</span>
        ) : (
          <div className="flex flex-wrap gap-1">
            {r.deployments.map((d) => (
              <Badge key={d.model} tone="accent">
                {d.model} · {d.weight}
              </Badge>
            ))}
          </div>
        ),
    },
    { key: "strategy", header: "Strategy", cell: (r) => r.strategy ?? "—" },
    {
      key: "fallbacks",
      header: "Fallbacks",
      cell: (r) => (r.fallbacks.length ? <span className="font-mono text-xs">{r.fallbacks.join(" → ")}</span> : "—"),
    },
    {
      key: "version",
      header: "Active",
      cell: (r) => (
        <span>
          v{r.activeVersion ?? "—"}
          {r.latestVersion !== r.activeVersion && (
            <span className="text-muted-foreground text-xs"> (latest v{r.latestVersion})</span>
          )}
        </span>
      ),
    },
    {
      key: "status",
      header: "Status",
      cell: (r) => (r.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>),
    },
    { key: "updated", header: "Updated", cell: (r) => formatRelative(r.updatedAt) },
  ];

  return (
    <>
      <PageHeader
        title="Routes"
        description="What serves each model name on the gateway: deployments with weights, a strategy, retries, timeouts, fallbacks and cooldowns — stored as versioned YAML or JSON."
        actions={newRoute}
      />
      <DataTable
        caption="Routes"
        columns={columns}
        rowKey={(r) => r.id}
        {...list.table(routes)}
        toolbar={
          <div className="flex items-center gap-2">
            <Input
              aria-label="Search routes"
              placeholder="Search name or description…"
              {...list.bind("search")}
              className="w-72"
            />
            <Select aria-label="Status" {...list.bind("enabled")} className="w-36">
              <option value="">All</option>
              <option value="true">Enabled</option>
              <option value="false">Disabled</option>
            </Select>
          </div>
        }
        empty={
          <EmptyState
            icon={Route}
            title={list.filtered ? "No route matches" : "No routes yet"}
            description="Without a route, the gateway serves the registry model a request names. Add a route to spread a model name over several deployments with retries and failover."
            action={newRoute}
          />
        }
      />
      <CreateRouteDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
