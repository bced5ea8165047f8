"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { FolderOpen, MessageSquareText } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { CreatePromptDialog } from "@/components/prompts/create-prompt-dialog";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { useListQuery } from "@/components/providers/use-list-query";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, Input, PageHeader } from "@/components/ui";

type Prompt = RouterOutputs["prompts"]["list"]["items"][number];

export function PromptsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const list = useListQuery({ search: "", folder: "" });
  const create = useCreateDialog("prompts:write", "New prompt");
  const prompts = useQuery({ ...trpc.prompts.list.queryOptions(list.query), placeholderData: keepPreviousData });

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
                    list.setFilter("folder", p.name.slice(0, slash));
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
        actions={create.button}
      />
      <DataTable
        caption="Prompts"
        columns={columns}
        rowKey={(p) => p.id}
        {...list.table(prompts)}
        toolbar={
          <div className="flex items-center gap-2">
            <Input
              aria-label="Search prompts"
              placeholder="Search name, description or tag…"
              {...list.bind("search")}
              className="w-72"
            />
            {list.filters.folder && (
              <Button variant="secondary" size="sm" onClick={() => list.setFilter("folder", "")}>
                <FolderOpen className="size-4" aria-hidden /> {list.filters.folder}/ ✕
              </Button>
            )}
          </div>
        }
        empty={
          <EmptyState
            icon={MessageSquareText}
            title={list.filtered ? "No prompt matches" : "No prompts yet"}
            description="Create a prompt template to version it, label it and serve it to your applications."
            action={create.emptyAction}
          />
        }
      />
      <CreatePromptDialog {...create.dialog} />
    </>
  );
}
