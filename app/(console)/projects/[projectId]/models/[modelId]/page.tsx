import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { ModelDetail } from "@/components/models/model-detail";

export const metadata: Metadata = { title: "Model" };

export default async function ModelPage({ params }: { params: Promise<{ projectId: string; modelId: string }> }) {
  const { projectId, modelId } = await params;
  await requireResource(projectId, "model", modelId);
  return <ModelDetail modelId={modelId} />;
}
