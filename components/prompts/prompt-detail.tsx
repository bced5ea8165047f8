"use client";

import { useQuery } from "@tanstack/react-query";
import { Eye, Play } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { PromptDiff } from "@/components/prompts/prompt-diff";
import { PromptEditor } from "@/components/prompts/prompt-editor";
import { PromptLabels } from "@/components/prompts/prompt-labels";
import type { PromptDetailData } from "@/components/prompts/types";
import { VersionView } from "@/components/prompts/version-view";
import { useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  Button,
  buttonStyles,
  DataTable,
  type DataTableColumn,
  ErrorState,
  LoadingState,
  PageHeader,
  Tabs,
} from "@/components/ui";

type Version = PromptDetailData["versions"][number];

export function PromptDetail({ promptId }: { promptId: string }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const [tab, setTab] = useState("versions");
  const [viewing, setViewing] = useState<Version | null>(null);
  const prompt = useQuery(trpc.prompts.get.queryOptions({ id: promptId }));
  if (prompt.isLoading) return <LoadingState label="Loading prompt…" />;
  if (prompt.error || !prompt.data)
    return <ErrorState message={prompt.error?.message ?? "Prompt not found"} onRetry={() => void prompt.refetch()} />;
  const p = prompt.data;
  const playgroundHref = (v: Version) =>
    `/projects/${projectId}/playground?prompt=${encodeURIComponent(`${p.name}@${v.version}`)}`;
  const columns: DataTableColumn<Version>[] = [
    { key: "v", header: "Version", className: "w-20", cell: (v) => <span className="font-medium">v{v.version}</span> },
    {
      key: "message",
      header: "Commit message",
      cell: (v) => v.commitMessage || <span className="text-muted-foreground">—</span>,
    },
    {
      key: "labels",
      header: "Labels",
      cell: (v) => (
        <div className="flex gap-1">
          {v.labels.map((l) => (
            <Badge key={l} tone={l === "production" ? "success" : "accent"}>
              {l}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: "vars",
      header: "Variables",
      cell: (v) => <code className="font-mono text-xs">{v.variables.join(", ") || "—"}</code>,
    },
    { key: "author", header: "Author", cell: (v) => `${v.authorLabel}, ${formatRelative(v.createdAt)}` },
    {
      key: "open",
      header: <span className="sr-only">Actions</span>,
      className: "w-64 text-right",
      cell: (v) => (
        <div className="flex justify-end gap-1">
          <Button size="sm" variant="ghost" onClick={() => setViewing(v)} aria-label={`View v${v.version}`}>
            <Eye className="size-4" aria-hidden /> View
          </Button>
          <Link href={playgroundHref(v)} className={buttonStyles({ variant: "ghost", size: "sm" })}>
            <Play className="size-4" aria-hidden /> Open in playground
          </Link>
        </div>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={p.name}
        description={p.description || `${p.type === "chat" ? "Chat" : "Text"} prompt`}
        breadcrumbs={[{ label: "Prompts", href: `/projects/${projectId}/prompts` }, { label: p.name }]}
      />
      <Tabs
        aria-label="Prompt sections"
        value={tab}
        onValueChange={setTab}
        tabs={[
          { value: "versions", label: `Versions (${p.versions.length})` },
          { value: "editor", label: "Edit & preview" },
          { value: "labels", label: "Labels" },
          { value: "diff", label: "Diff" },
        ]}
      />
      {tab === "versions" && <DataTable caption="Versions" columns={columns} rows={p.versions} rowKey={(v) => v.id} />}
      <VersionView prompt={p} version={viewing} onClose={() => setViewing(null)} playgroundHref={playgroundHref} />
      {tab === "editor" && <PromptEditor prompt={p} onSaved={() => setTab("versions")} />}
      {tab === "labels" && <PromptLabels prompt={p} />}
      {tab === "diff" && <PromptDiff prompt={p} />}
    </>
  );
}
