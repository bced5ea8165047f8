"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { AliasesPanel } from "@/components/models/aliases-panel";
import { formatPrice, PROVIDER_LABELS } from "@/components/models/labels";
import { VersionsPanel } from "@/components/models/versions-panel";
import { useTRPC } from "@/components/providers/trpc";
import { Badge, Card, CardContent, ErrorState, LoadingState, PageHeader, Tabs } from "@/components/ui";

export function ModelDetail({ modelId }: { modelId: string }) {
  const trpc = useTRPC();
  const { projectId } = useParams<{ projectId: string }>();
  const [tab, setTab] = useState("versions");
  const model = useQuery(trpc.models.get.queryOptions({ id: modelId }));
  if (model.isLoading) return <LoadingState label="Loading model…" />;
  if (model.error || !model.data)
    return <ErrorState message={model.error?.message ?? "Model not found"} onRetry={() => void model.refetch()} />;
  const m = model.data;
  const facts: [string, string][] = [
    ["Provider", PROVIDER_LABELS[m.provider]],
    ["Task", m.task],
    ["Context", m.contextLength ? `${m.contextLength.toLocaleString("en-US")} tokens` : "—"],
    ["License", m.license ?? "—"],
    [
      "Price",
      m.pricePerComputeSecond !== null
        ? `${formatPrice(m.pricePerComputeSecond)} per compute second`
        : `${formatPrice(m.priceInputPerMTok)} in / ${formatPrice(m.priceOutputPerMTok)} out per 1M tokens`,
    ],
  ];
  // Prompt-cache prices only where set: without them cached tokens cost the input price.
  if (m.pricePerComputeSecond === null && (m.priceCachedInputPerMTok !== null || m.priceCacheWritePerMTok !== null))
    facts.push([
      "Prompt cache",
      `${formatPrice(m.priceCachedInputPerMTok ?? m.priceInputPerMTok)} read / ${formatPrice(m.priceCacheWritePerMTok ?? m.priceInputPerMTok)} write per 1M tokens`,
    ]);
  return (
    <>
      <PageHeader
        title={m.name}
        description={m.description || undefined}
        breadcrumbs={[{ label: "Models", href: `/projects/${projectId}/models` }, { label: m.name }]}
      />
      <Card>
        <CardContent className="flex flex-wrap gap-x-10 gap-y-3 pt-4 text-sm">
          {facts.map(([label, value]) => (
            <div key={label}>
              <div className="text-muted-foreground text-xs">{label}</div>
              <div className="font-medium">{value}</div>
            </div>
          ))}
          {m.tags.length > 0 && (
            <div>
              <div className="text-muted-foreground text-xs">Tags</div>
              <div className="flex gap-1">
                {m.tags.map((t) => (
                  <Badge key={t}>{t}</Badge>
                ))}
              </div>
            </div>
          )}
        </CardContent>
      </Card>
      <Tabs
        aria-label="Model sections"
        value={tab}
        onValueChange={setTab}
        tabs={[
          { value: "versions", label: `Versions (${m.versions.length})` },
          { value: "aliases", label: "Aliases & deployments" },
        ]}
      />
      {tab === "versions" ? <VersionsPanel model={m} /> : <AliasesPanel model={m} />}
    </>
  );
}
