import { FlaskConical } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Experiments" };

export default function ExperimentsPage() {
  return (
    <FeatureEmptyState
      title="Experiments"
      description="A/B tests between prompt or model versions, with sticky assignment and honest statistics."
      icon={FlaskConical}
      emptyTitle="No experiments yet"
      emptyDescription="Start an experiment to compare two or more variants on live traffic."
    />
  );
}
