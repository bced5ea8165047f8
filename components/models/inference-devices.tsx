"use client";

import { useQuery } from "@tanstack/react-query";
import { Cpu } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { formatRelative } from "@/components/format";
import { type RouterOutputs, useTRPC } from "@/components/providers/trpc";
import {
  Badge,
  type BadgeTone,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  DataTable,
  type DataTableColumn,
  EmptyState,
  ErrorState,
  PageHeader,
  ProgressBar,
  Stat,
} from "@/components/ui";

type View = RouterOutputs["models"]["devices"];
type Provider = View["devices"][number];
type LoadedModel = View["models"][number];

const DEVICE_LABELS: Record<Provider["device"], string> = { cpu: "CPU", cuda: "CUDA (NVIDIA)", webgpu: "WebGPU" };
const STATUS: Record<Provider["status"], { label: string; tone: BadgeTone }> = {
  available: { label: "Available", tone: "success" },
  unavailable: { label: "Unavailable", tone: "danger" },
  untried: { label: "Not tried", tone: "neutral" },
};

const MIB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(1)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`;

/** Why a provider was not tried: the preference names one device, and only it and CPU are tried. */
function untriedReason(view: View, device: Provider["device"]): string {
  return `SWITCHYARD_INFERENCE_DEVICE=${view.preference}: only ${view.preference} and cpu are tried, not ${device}`;
}

/** The in-process engine: each provider available or why not, the preference, memory, and the loaded models. */
export function InferenceDevices() {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const query = useQuery({ ...trpc.models.devices.queryOptions({}), refetchInterval: 5_000 });
  const view = query.data;
  const used = view ? (view.memory.usedBytes / view.memory.budgetBytes) * 100 : 0;

  const columns: DataTableColumn<LoadedModel>[] = [
    {
      key: "model",
      header: "Model",
      cell: (m) =>
        m.names.length === 0 ? (
          <span className="text-muted-foreground">Another project's model</span>
        ) : (
          <Link href={`/projects/${projectId}/models/${m.modelId}`} className="font-medium hover:underline">
            {m.names.join(", ")}
          </Link>
        ),
    },
    { key: "device", header: "Device", cell: (m) => <Badge tone="info">{m.device}</Badge> },
    { key: "size", header: "Size", className: "text-right whitespace-nowrap", cell: (m) => size(m.sizeBytes) },
    {
      key: "load",
      header: "Running / waiting",
      className: "text-right whitespace-nowrap",
      cell: (m) => `${m.running} / ${m.waiting}`,
    },
    {
      key: "batch",
      header: "Batch",
      className: "whitespace-nowrap",
      cell: (m) =>
        m.maxBatch > 1 ? (
          <span title="Sequences that decode together, and the mean batch of the decode steps so far">
            up to {m.maxBatch}
            {m.meanBatch !== null && <span className="text-muted-foreground"> · mean {m.meanBatch}</span>}
          </span>
        ) : (
          <span className="text-muted-foreground" title={m.notBatched ?? undefined}>
            one at a time
          </span>
        ),
    },
    { key: "used", header: "Last used", className: "whitespace-nowrap", cell: (m) => formatRelative(m.lastUsedAt) },
  ];

  return (
    <>
      <PageHeader
        title="Inference devices"
        description="Where the in-process engine runs local ONNX models, and why a GPU is not used."
        breadcrumbs={[{ label: "Models", href: `/projects/${projectId}/models` }, { label: "Devices" }]}
      />
      {query.error ? (
        <ErrorState
          title="Could not read the engine"
          message={query.error.message}
          onRetry={() => void query.refetch()}
        />
      ) : (
        <>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
            <Stat label="Preference" value={view?.preference ?? "…"} hint="SWITCHYARD_INFERENCE_DEVICE" />
            <Stat
              label="Memory"
              value={view ? size(view.memory.usedBytes) : "…"}
              hint={view ? `of ${size(view.memory.budgetBytes)} budget` : undefined}
            />
            <Stat label="Loaded models" value={view?.models.length ?? "…"} hint="all projects" />
          </div>
          {view && (
            <ProgressBar value={used} label="Inference memory budget used" tone={used > 90 ? "warning" : "primary"} />
          )}
          <Card>
            <CardHeader>
              <CardTitle>Providers</CardTitle>
              <CardDescription>
                Under <code>auto</code> the engine tries CUDA, then WebGPU, then CPU, by starting a real session; a
                provider that fails falls back to CPU and is not tried again until restart. For CUDA run{" "}
                <code>npm run gpu:install</code> once (README, "GPUs").
              </CardDescription>
            </CardHeader>
            <CardContent>
              <ul className="flex flex-col divide-y divide-border" aria-label="Providers">
                {(view?.devices ?? []).map((d) => (
                  <li
                    key={d.device}
                    className="flex flex-col gap-1 py-3 sm:flex-row sm:items-start sm:gap-4"
                    data-testid={`device-${d.device}`}
                  >
                    <div className="flex w-56 shrink-0 items-center gap-2">
                      <span className="font-medium">{DEVICE_LABELS[d.device]}</span>
                      <Badge tone={STATUS[d.status].tone} dot>
                        {STATUS[d.status].label}
                      </Badge>
                    </div>
                    <div className="min-w-0 flex-1 text-sm">
                      {d.status === "available" && <span className="text-muted-foreground">Sessions start on it.</span>}
                      {d.status === "untried" && (
                        <span className="text-muted-foreground">{untriedReason(view!, d.device)}</span>
                      )}
                      {d.reason && <p>{d.reason}</p>}
                      {d.error && (
                        <p
                          className="break-words font-mono text-muted-foreground text-xs"
                          title="onnxruntime's message"
                        >
                          {d.error}
                        </p>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
          <DataTable
            caption="Loaded models"
            columns={columns}
            rows={view?.models}
            rowKey={(m) => `${m.device}-${m.loadedAt}-${m.names.join(",")}`}
            loading={query.isLoading}
            empty={
              <EmptyState
                icon={Cpu}
                title="No local model is loaded"
                description="A local model loads on its first generation (playground or gateway) and is unloaded when idle and memory is needed."
              />
            }
          />
        </>
      )}
    </>
  );
}
