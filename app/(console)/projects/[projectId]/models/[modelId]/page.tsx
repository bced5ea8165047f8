import type { Metadata } from "next";
import { ModelDetail } from "@/components/models/model-detail";

export const metadata: Metadata = { title: "Model" };

export default async function ModelPage({ params }: { params: Promise<{ modelId: string }> }) {
  const { modelId } = await params;
  return <ModelDetail modelId={modelId} />;
}
