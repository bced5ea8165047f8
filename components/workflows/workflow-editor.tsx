"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Play } from "lucide-react";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { WithReason } from "@/components/providers/use-create-dialog";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { Button, Card, CardContent, CardHeader, CardTitle, LoadingState, PageHeader, toast } from "@/components/ui";
import { CANARY_RELEASE_TEMPLATE } from "@/lib/workflows/templates/canary-release";
import { RunDialog } from "./run-dialog";
import { type Validation, WorkflowSourceEditor } from "./source-editor";
import { StatusBadge } from "./status";

const BLANK = `name: my-workflow
description: What this workflow does
triggers:
  - manual
steps:
  notify:
    uses: webhook
    with:
      url: https://example.com/hook
      body: { hello: world }
`;

/** The editor page: a new workflow (blank or from the template), or an existing one's latest version. */
export function WorkflowEditor({ workflowId, template }: { workflowId?: string; template?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId } = useParams<{ projectId: string }>();
  const { can, role, isLoading: accessLoading } = useProjectAccess();
  const workflow = useQuery({
    ...trpc.workflows.get.queryOptions({ id: workflowId ?? "" }),
    enabled: Boolean(workflowId),
  });
  const runs = useQuery({
    ...trpc.workflows.runs.queryOptions({ workflowId, limit: 10 }),
    enabled: Boolean(workflowId),
    refetchInterval: 5000,
  });
  const saved = workflowId ? (workflow.data?.versions[0]?.source ?? null) : null;
  const [source, setSource] = useState<string | null>(workflowId ? null : template ? CANARY_RELEASE_TEMPLATE : BLANK);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  useEffect(() => {
    if (source === null && saved !== null) setSource(saved);
  }, [saved, source]);
  const onValidated = useCallback((v: Validation) => setValidation(v), []);

  const save = useMutation(
    trpc.workflows.save.mutationOptions({
      onSuccess: async (r) => {
        toast.success(`Saved ${r.workflow.name} version ${r.version.version}`);
        await queryClient.invalidateQueries({ queryKey: trpc.workflows.pathKey() });
        if (!workflowId) router.push(`/projects/${projectId}/workflows/${r.workflow.id}`);
      },
      onError: (e) => toast.error(e.message),
    }),
  );

  if (workflowId && workflow.isLoading) return <LoadingState />;
  if (source === null) return <LoadingState />;
  const writeWhy = can("workflows:write") || accessLoading ? undefined : deniedReason(role, "workflows:write");
  const upToDate = validation?.source === source;
  const unchanged = saved !== null && source === saved;
  const saveWhy = writeWhy
    ? writeWhy
    : unchanged
      ? "Nothing changed since the saved version"
      : !upToDate
        ? "Checking the document…"
        : !validation?.valid
          ? "Fix the problems first"
          : undefined;

  return (
    <>
      <PageHeader
        title={workflow.data ? workflow.data.name : template ? "New workflow from template" : "New workflow"}
        description={
          workflow.data
            ? `Version ${workflow.data.latestVersion} · ${workflow.data.description}`
            : "Steps from the catalogue (batch, eval, gate, promote, rollout, dataset_transform, fine_tune, export, webhook) with needs, if, retry and timeout. Saving makes a new version."
        }
        breadcrumbs={[
          { label: "Workflows", href: `/projects/${projectId}/workflows` },
          { label: workflow.data?.name ?? "New" },
        ]}
        actions={
          <div className="flex gap-2">
            {workflow.data && (
              <WithReason why={writeWhy}>
                <Button variant="secondary" onClick={() => setRunOpen(true)} disabled={Boolean(writeWhy)}>
                  <Play className="size-4" aria-hidden /> Run
                </Button>
              </WithReason>
            )}
            <WithReason why={saveWhy}>
              <Button
                onClick={() => save.mutate({ source, workflowId })}
                disabled={Boolean(saveWhy)}
                loading={save.isPending}
                title={saveWhy}
              >
                Save
              </Button>
            </WithReason>
          </div>
        }
      />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <WorkflowSourceEditor value={source} onChange={setSource} onValidated={onValidated} />
        {workflowId && (
          <Card>
            <CardHeader>
              <CardTitle>Recent runs</CardTitle>
            </CardHeader>
            <CardContent>
              {runs.data?.length ? (
                <ul className="flex flex-col gap-2 text-sm">
                  {runs.data.map((r) => (
                    <li key={r.id} className="flex items-center justify-between gap-2">
                      <Link href={`/projects/${projectId}/workflows/runs/${r.id}`} className="hover:underline">
                        v{r.version} · {String(r.trigger.type ?? "manual")} · {formatRelative(r.createdAt)}
                      </Link>
                      <StatusBadge status={r.status} />
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-muted-foreground text-sm">No runs yet.</p>
              )}
            </CardContent>
          </Card>
        )}
      </div>
      {workflow.data && (
        <RunDialog
          key={workflow.data.latestVersion}
          open={runOpen}
          onOpenChange={setRunOpen}
          projectId={projectId}
          workflowId={workflow.data.id}
          inputs={workflow.data.inputs}
        />
      )}
    </>
  );
}
