import { Database } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  return (
    <FeatureEmptyState
      title="Datasets"
      description="Fine-tuning datasets: JSONL upload with validation, versions, PII masking and splits."
      icon={Database}
      emptyTitle="No datasets yet"
      emptyDescription="Upload a JSONL file to create your first dataset."
    />
  );
}
