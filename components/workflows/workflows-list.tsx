"use client";

import { useQuery } from "@tanstack/react-query";
import { FileText, Plus, Workflow } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, buttonStyles, cn, DataTable, type DataTableColumn, EmptyState, PageHeader } from "@/components/ui";
import { StatusBadge } from "./status";

type Row = RouterOutputs["workflows"]["list"][number];

export function WorkflowsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const { can, role, isLoading } = useProjectAccess();
  const workflows = useQuery({ ...trpc.workflows.list.queryOptions({}), refetchInterval: 10_000 });
  const why = can("workflows:write") || isLoading ? undefined : deniedReason(role, "workflows:write");
  const link = (href: string, label: string, Icon: typeof Plus, variant: "primary" | "secondary") =>
    why ? (
      <WithReason why={why}>
        <span className={cn(buttonStyles({ variant }), "pointer-events-none opacity-50")} title={why}>
          <Icon className="size-4" aria-hidden /> {label}
        </span>
      </WithReason>
    ) : (
      <Link href={href} className={buttonStyles({ variant })}>
        <Icon className="size-4" aria-hidden /> {label}
      </Link>
    );
  const actions = (
    <div className="flex flex-wrap gap-2">
      {link(`/projects/${projectId}/workflows/new?template=canary-release`, "New from template", FileText, "secondary")}
      {link(`/projects/${projectId}/workflows/new`, "New workflow", Plus, "primary")}
    </div>
  );

  const columns: DataTableColumn<Row>[] = [
    {
      key: "name",
      header: "Workflow",
      cell: (w) => (
        <div className="min-w-32">
          <Link href={`/projects/${projectId}/workflows/${w.id}`} className="font-medium hover:underline">
            {w.name}
          </Link>
          <div className="text-muted-foreground text-xs">{w.description}</div>
        </div>
      ),
    },
    { key: "version", header: "Version", cell: (w) => `v${w.latestVersion}` },
    {
      key: "triggers",
      header: "Triggers",
      cell: (w) => (
        <div className="flex flex-wrap gap-1">
          {w.triggers.map((t) => (
            <Badge key={t}>{t.replace("_", " ")}</Badge>
          ))}
        </div>
      ),
    },
    {
      key: "last",
      header: "Last run",
      cell: (w) =>
        w.lastRun ? (
          <Link href={`/projects/${projectId}/workflows/runs/${w.lastRun.id}`} className="flex items-center gap-2">
            <StatusBadge status={w.lastRun.status} />
            <span className="text-muted-foreground text-xs">{formatRelative(w.lastRun.createdAt)}</span>
          </Link>
        ) : (
          <span className="text-muted-foreground text-xs">never</span>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Workflows"
        description="YAML documents that chain steps — batch, eval, gate, promote, rollout, dataset transform, fine-tune, export, webhook — started by hand, on a cron, or by a new version or a label move. Every save is a new version; a run pins its version."
        actions={actions}
      />
      <DataTable
        caption="Workflows"
        columns={columns}
        rowKey={(w) => w.id}
        rows={workflows.data ?? []}
        loading={workflows.isLoading}
        error={workflows.error}
        onRetry={() => void workflows.refetch()}
        empty={
          <EmptyState
            icon={Workflow}
            title="No workflows yet"
            description="Start from the template: a new prompt version is evaluated against production, gated, then rolled out as a canary."
            action={actions}
          />
        }
      />
    </>
  );
}
