"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { formatPrice, PROVIDER_LABELS } from "@/components/models/labels";
import { RegisterModelDialog } from "@/components/models/register-model-dialog";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import { useCreateDialog } from "@/components/providers/use-create-dialog";
import { useListQuery } from "@/components/providers/use-list-query";
import { Badge, DataTable, type DataTableColumn, EmptyState, Input, PageHeader, Select } from "@/components/ui";
import { PROVIDERS, TASKS } from "@/lib/models";

type Model = RouterOutputs["models"]["list"]["items"][number];

export function ModelsList() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const list = useListQuery({ search: "", provider: "", task: "" });
  const create = useCreateDialog("models:write", "Register model");
  const models = useQuery({
    ...trpc.models.list.queryOptions({
      ...list.query,
      provider: list.query.provider as Model["provider"] | undefined,
      task: list.query.task as Model["task"] | undefined,
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
            <Link href={`/projects/${projectId}/models/devices`} className="self-center text-sm hover:underline">
              Inference devices
            </Link>
            {create.button}
          </div>
        }
      />
      <DataTable
        caption="Models"
        columns={columns}
        rowKey={(m) => m.id}
        {...list.table(models)}
        toolbar={
          <div className="flex flex-wrap gap-2">
            <Input
              aria-label="Search models"
              placeholder="Search name, description or tag…"
              {...list.bind("search")}
              className="w-72"
            />
            <Select aria-label="Provider" {...list.bind("provider")} className="w-48">
              <option value="">All providers</option>
              {PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABELS[p]}
                </option>
              ))}
            </Select>
            <Select aria-label="Task" {...list.bind("task")} className="w-40">
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
            title={list.filtered ? "No model matches" : "No models yet"}
            description="Register an ONNX model you upload, or an OpenAI-compatible or Anthropic endpoint."
            action={create.emptyAction}
          />
        }
      />
      <RegisterModelDialog {...create.dialog} />
    </>
  );
}
