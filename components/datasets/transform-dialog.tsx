"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import Link from "next/link";
import { useParams } from "next/navigation";
import { type ReactNode, useEffect, useRef } from "react";
import { ReportView } from "@/components/datasets/report-view";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { Badge, Button, Dialog, toast } from "@/components/ui";
import type { AppRouter } from "@/server/trpc/root";

type RouterInputs = inferRouterInputs<AppRouter>;
type TransformParams = Omit<RouterInputs["datasets"]["transform"], "versionId" | "operation">;
type Preview = RouterOutputs["datasets"]["preview"];
/** A transform over a large version answers with the job making it instead (`job` set). */
type Created = Extract<RouterOutputs["datasets"]["transform"], { job: null }>;
type Queued = Exclude<RouterOutputs["datasets"]["transform"], { job: null }>;

export interface TransformDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  datasetId: string;
  version: { id: string; version: number };
  onCreated: (version: Created) => void;
}

/**
 * One transform of a version: its fields, a preview of what it would make (nothing is written), then Apply,
 * which makes the new version (over SWITCHYARD_DATASET_INLINE_ROWS examples it starts a job, and the dialog
 * links to it). `params` is null while the fields are invalid; a preview made with other params than the
 * current ones is marked out of date.
 */
export function TransformDialog({
  open,
  onOpenChange,
  datasetId,
  version,
  onCreated,
  title,
  description,
  operation,
  params,
  previewable = true,
  applyLabel,
  children,
}: TransformDialogProps & {
  title: string;
  description: ReactNode;
  operation: RouterInputs["datasets"]["transform"]["operation"];
  params: TransformParams | null;
  previewable?: boolean;
  applyLabel: string;
  children?: ReactNode;
}) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const queryClient = useQueryClient();
  const previewed = useRef<string | null>(null);
  const preview = useMutation(trpc.datasets.preview.mutationOptions());
  const apply = useMutation(
    trpc.datasets.transform.mutationOptions({
      onSuccess: (v) => {
        if (v.job) return;
        toast.success(`Created v${v.version} (${v.operation}) with ${v.exampleCount.toLocaleString("en-US")} examples`);
        void queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey({ id: datasetId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        onCreated(v);
        onOpenChange(false);
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const key = JSON.stringify(params);
  const runPreview = () => {
    if (!params) return;
    previewed.current = key;
    preview.mutate({ versionId: version.id, operation, ...params });
  };
  const stale = preview.data && previewed.current !== key;
  const queued = apply.data?.job ? (apply.data as Queued) : null;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => !apply.isPending && onOpenChange(o)}
      title={`${title} — v${version.version}`}
      description={description}
      className="max-w-2xl"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)} disabled={apply.isPending}>
            {/* Once a job runs, closing the dialog leaves it running: "Cancel" would promise otherwise. */}
            {queued ? "Close" : "Cancel"}
          </Button>
          {previewable && (
            <Button variant="secondary" onClick={runPreview} disabled={!params} loading={preview.isPending}>
              Preview
            </Button>
          )}
          <Button
            onClick={() => params && apply.mutate({ versionId: version.id, operation, ...params })}
            disabled={!params || !!queued}
            loading={apply.isPending}
          >
            {applyLabel}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-4">
        {queued && (
          <p role="status" className="rounded-md bg-info-soft p-2 text-sm">
            v{version.version} has {queued.examples.toLocaleString("en-US")} examples, so this runs as a background job:{" "}
            <Link href={`/projects/${projectId}/jobs?job=${queued.job.id}`} className="font-medium underline">
              job {queued.job.id.slice(0, 8)}
            </Link>
            . The new version appears in this dataset when it finishes.
          </p>
        )}
        {children}
        {previewable && <PreviewOnOpen run={runPreview} />}
        {preview.error && (
          <p role="alert" className="rounded-md bg-danger-soft p-2 text-danger text-sm">
            {preview.error.message}
          </p>
        )}
        {preview.data && (
          <PreviewView preview={preview.data} parent={version.version} stale={!!stale} pending={preview.isPending} />
        )}
      </div>
    </Dialog>
  );
}

/** Previews once when the dialog opens (its content mounts on open), with the default fields. */
function PreviewOnOpen({ run }: { run: () => void }) {
  const ran = useRef(false);
  useEffect(() => {
    if (ran.current) return;
    ran.current = true;
    run();
  }, [run]);
  return null;
}

function PreviewView({
  preview,
  parent,
  stale,
  pending,
}: {
  preview: Preview;
  parent: number;
  stale: boolean;
  pending: boolean;
}) {
  return (
    <section
      aria-label="Preview"
      aria-busy={pending}
      className="flex flex-col gap-3 rounded-md border border-border border-dashed p-3"
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone="info">Preview</Badge>
        <span>
          v{parent} has {preview.parentExamples.toLocaleString("en-US")} examples; the new version would have{" "}
          <strong>{preview.examples.toLocaleString("en-US")}</strong>. Nothing is written until you apply.
        </span>
        {stale && <Badge tone="warning">Out of date: the fields changed, preview again</Badge>}
      </div>
      <ReportView report={preview.report} />
      {preview.samples.length > 0 && (
        <section aria-label="Before and after" className="flex flex-col gap-2">
          <h4 className="font-medium text-xs">First masked examples, before and after</h4>
          {preview.samples.map((s) => (
            <div key={s.position} className="grid gap-2 rounded-md bg-muted p-2 text-xs md:grid-cols-2">
              <span className="text-muted-foreground md:col-span-2">Example #{s.position + 1}</span>
              <Messages label="Before" messages={s.before.messages} />
              <Messages label="After" messages={s.after.messages} />
            </div>
          ))}
        </section>
      )}
    </section>
  );
}

function Messages({ label, messages }: { label: string; messages: { role: string; content: string }[] }) {
  return (
    <section className="flex min-w-0 flex-col gap-1" aria-label={label}>
      <span className="font-medium">{label}</span>
      {messages.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages are positional
        <div key={i} className="flex min-w-0 gap-2">
          <Badge>{m.role}</Badge>
          <span className="line-clamp-3 min-w-0 break-words">{m.content}</span>
        </div>
      ))}
    </section>
  );
}
