"use client";

import { useQuery } from "@tanstack/react-query";
import { Play } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState } from "react";
import { formatRelative } from "@/components/format";
import { PromptDiff } from "@/components/prompts/prompt-diff";
import { PromptEditor } from "@/components/prompts/prompt-editor";
import { PromptLabels } from "@/components/prompts/prompt-labels";
import type { PromptDetailData } from "@/components/prompts/types";
import { useTRPC } from "@/components/providers/trpc";
import {
  Badge,
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
  const prompt = useQuery(trpc.prompts.get.queryOptions({ id: promptId }));
  if (prompt.isLoading) return <LoadingState label="Loading prompt…" />;
  if (prompt.error || !prompt.data)
    return <ErrorState message={prompt.error?.message ?? "Prompt not found"} onRetry={() => void prompt.refetch()} />;
  const p = prompt.data;
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
      header: <span className="sr-only">Open</span>,
      className: "w-40 text-right",
      cell: (v) => (
        <Link
          href={`/projects/${projectId}/playground?prompt=${encodeURIComponent(`${p.name}@${v.version}`)}`}
          className={buttonStyles({ variant: "ghost", size: "sm" })}
        >
          <Play className="size-4" aria-hidden /> Open in playground
        </Link>
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
      {tab === "editor" && <PromptEditor prompt={p} onSaved={() => setTab("versions")} />}
      {tab === "labels" && <PromptLabels prompt={p} />}
      {tab === "diff" && <PromptDiff prompt={p} />}
    </>
  );
}
