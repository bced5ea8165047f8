import type { Metadata } from "next";
import { DatasetDetail } from "@/components/datasets/dataset-detail";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ datasetId: string }> }) {
  const { datasetId } = await params;
  return <DatasetDetail datasetId={datasetId} />;
}
