import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { DatasetDetail } from "@/components/datasets/dataset-detail";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ projectId: string; datasetId: string }> }) {
  const { projectId, datasetId } = await params;
  await requireResource(projectId, "dataset", datasetId);
  return <DatasetDetail datasetId={datasetId} />;
}
