"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Boxes, Plus } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useDeferredValue, useState } from "react";
import { formatRelative } from "@/components/format";
import { formatPrice, PROVIDER_LABELS } from "@/components/models/labels";
import { RegisterModelDialog } from "@/components/models/register-model-dialog";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, DataTable, type DataTableColumn, EmptyState, Input, PageHeader, Select } from "@/components/ui";
import { PROVIDERS, TASKS } from "@/lib/models";

type Model = RouterOutputs["models"]["list"]["items"][number];

export function ModelsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const { can } = useProjectAccess();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [provider, setProvider] = useState("");
  const [task, setTask] = useState("");
  const [registering, setRegistering] = useState(false);
  const deferredSearch = useDeferredValue(search);
  const pageSize = 20;
  const models = useQuery({
    ...trpc.models.list.queryOptions({
      page,
      pageSize,
      search: deferredSearch || undefined,
      provider: (provider || undefined) as Model["provider"] | undefined,
      task: (task || undefined) as Model["task"] | undefined,
    }),
    placeholderData: keepPreviousData,
  });

  const columns: DataTableColumn<Model>[] = [
    {
      key: "name",
      header: "Model",
      cell: (m) => (
        <div>
          <Link href={`/projects/${projectId}/models/${m.id}`} className="font-medium hover:underline">
            {m.name}
          </Link>
          {m.description && <div className="line-clamp-1 text-muted-foreground text-xs">{m.description}</div>}
        </div>
      ),
    },
    { key: "provider", header: "Provider", cell: (m) => <Badge>{PROVIDER_LABELS[m.provider]}</Badge> },
    { key: "task", header: "Task", cell: (m) => m.task },
    { key: "version", header: "Latest", cell: (m) => (m.latestVersion ? `v${m.latestVersion}` : "—") },
    {
      key: "aliases",
      header: "Aliases",
      cell: (m) => (
        <div className="flex flex-wrap gap-1">
          {m.aliases.map((a) => (
            <Badge key={a.name} tone={a.name === "production" ? "success" : "accent"}>
              {a.name} → v{a.version}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: "price",
      header: "Price in / out (per 1M)",
      cell: (m) =>
        m.pricePerComputeSecond !== null
          ? `${formatPrice(m.pricePerComputeSecond)} / s`
          : `${formatPrice(m.priceInputPerMTok)} / ${formatPrice(m.priceOutputPerMTok)}`,
    },
    { key: "updated", header: "Updated", cell: (m) => formatRelative(m.updatedAt) },
  ];

  return (
    <>
      <PageHeader
        title="Models"
        description="Register ONNX artifacts and upstream endpoints, version them and move aliases."
        actions={
          <div className="flex gap-2">
            <Link href={`/projects/${projectId}/models/compare`} className="self-center text-sm hover:underline">
              Compare measured performance
            </Link>
            {can("models:write") && (
              <Button onClick={() => setRegistering(true)}>
                <Plus className="size-4" aria-hidden /> Register model
              </Button>
            )}
          </div>
        }
      />
      <DataTable
        caption="Models"
        columns={columns}
        rows={models.data?.items}
        rowKey={(m) => m.id}
        loading={models.isLoading}
        error={models.error}
        onRetry={() => void models.refetch()}
        page={page}
        pageSize={pageSize}
        total={models.data?.total}
        onPageChange={setPage}
        toolbar={
          <div className="flex flex-wrap gap-2">
            <Input
              aria-label="Search models"
              placeholder="Search name, description or tag…"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setPage(1);
              }}
              className="w-72"
            />
            <Select
              aria-label="Provider"
              value={provider}
              onChange={(e) => {
                setProvider(e.target.value);
                setPage(1);
              }}
              className="w-48"
            >
              <option value="">All providers</option>
              {PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABELS[p]}
                </option>
              ))}
            </Select>
            <Select
              aria-label="Task"
              value={task}
              onChange={(e) => {
                setTask(e.target.value);
                setPage(1);
              }}
              className="w-40"
            >
              <option value="">All tasks</option>
              {TASKS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </div>
        }
        empty={
          <EmptyState
            icon={Boxes}
            title={search || provider || task ? "No model matches" : "No models yet"}
            description="Register an ONNX model you upload, or an OpenAI-compatible or Anthropic endpoint."
            action={
              can("models:write") ? <Button onClick={() => setRegistering(true)}>Register model</Button> : undefined
            }
          />
        }
      />
      <RegisterModelDialog open={registering} onOpenChange={setRegistering} />
    </>
  );
}
