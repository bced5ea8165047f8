"use client";

import { useParams } from "next/navigation";
import { Tabs } from "@/components/ui";

/** Datasets and the fine-tuning jobs trained on them, side by side. */
export function DatasetTabs({ value }: { value: "datasets" | "fine-tuning" }) {
  const { projectId } = useParams<{ projectId: string }>();
  return (
    <Tabs
      aria-label="Datasets sections"
      value={value}
      tabs={[
        { value: "datasets", label: "Datasets", href: `/projects/${projectId}/datasets` },
        { value: "fine-tuning", label: "Fine-tuning jobs", href: `/projects/${projectId}/datasets/fine-tuning` },
      ]}
    />
  );
}
