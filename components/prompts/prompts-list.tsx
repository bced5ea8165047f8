"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { FolderOpen, MessageSquareText, Plus } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useDeferredValue, useState } from "react";
import { formatRelative } from "@/components/format";
import { CreatePromptDialog } from "@/components/prompts/create-prompt-dialog";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, Input, PageHeader } from "@/components/ui";

type Prompt = RouterOutputs["prompts"]["list"]["items"][number];

export function PromptsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [folder, setFolder] = useState("");
  const [creating, setCreating] = useState(false);
  const deferred = useDeferredValue(search);
  const pageSize = 20;
  const prompts = useQuery({
    ...trpc.prompts.list.queryOptions({ page, pageSize, search: deferred || undefined, folder: folder || undefined }),
    placeholderData: keepPreviousData,
  });

  const columns: DataTableColumn<Prompt>[] = [
    {
      key: "name",
      header: "Prompt",
      cell: (p) => {
        const slash = p.name.lastIndexOf("/");
        return (
          <div>
            <Link href={`/projects/${projectId}/prompts/${p.id}`} className="font-medium hover:underline">
              {slash >= 0 && (
                <button
                  type="button"
                  className="text-muted-foreground hover:underline"
                  onClick={(e) => {
                    e.preventDefault();
                    setFolder(p.name.slice(0, slash));
                    setPage(1);
                  }}
                >
                  {p.name.slice(0, slash + 1)}
                </button>
              )}
              {p.name.slice(slash + 1)}
            </Link>
            {p.description && <div className="line-clamp-1 text-muted-foreground text-xs">{p.description}</div>}
          </div>
        );
      },
    },
    { key: "type", header: "Type", cell: (p) => <Badge>{p.type}</Badge> },
    { key: "latest", header: "Latest", cell: (p) => (p.latestVersion ? `v${p.latestVersion}` : "—") },
    {
      key: "labels",
      header: "Labels",
      cell: (p) => (
        <div className="flex flex-wrap gap-1">
          {p.labels.map((l) => (
            <Badge key={l.name} tone={l.name === "production" ? "success" : "accent"}>
              {l.protected ? "🔒 " : ""}
              {l.name} → v{l.version}
            </Badge>
          ))}
        </div>
      ),
    },
    { key: "updated", header: "Updated", cell: (p) => formatRelative(p.updatedAt) },
  ];

  return (
    <>
      <PageHeader
        title="Prompts"
        description="Versioned prompt templates with labels such as production and staging, served over the API."
        actions={
          can("prompts:write") && (
            <Button onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden /> New prompt
            </Button>
          )
        }
      />
      <DataTable
        caption="Prompts"
        columns={columns}
        rows={prompts.data?.items}
        rowKey={(p) => p.id}
        loading={prompts.isLoading}
        error={prompts.error}
        onRetry={() => void prompts.refetch()}
        page={page}
        pageSize={pageSize}
        total={prompts.data?.total}
        onPageChange={setPage}
        toolbar={
          <div className="flex items-center gap-2">
            <Input
              aria-label="Search prompts"
              placeholder="Search name, description or tag…"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setPage(1);
              }}
              className="w-72"
            />
            {folder && (
              <Button variant="secondary" size="sm" onClick={() => setFolder("")}>
                <FolderOpen className="size-4" aria-hidden /> {folder}/ ✕
              </Button>
            )}
          </div>
        }
        empty={
          <EmptyState
            icon={MessageSquareText}
            title={search || folder ? "No prompt matches" : "No prompts yet"}
            description="Create a prompt template to version it, label it and serve it to your applications."
            action={can("prompts:write") ? <Button onClick={() => setCreating(true)}>New prompt</Button> : undefined}
          />
        }
      />
      <CreatePromptDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
