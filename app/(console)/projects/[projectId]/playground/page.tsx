import { FileCode2 } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Playground" };

export default function PlaygroundPage() {
  return (
    <FeatureEmptyState
      title="Playground"
      description="Try any registered model with streaming output, parameters and side-by-side compare."
      icon={FileCode2}
      emptyTitle="Nothing to run yet"
      emptyDescription="Register a model first; the playground streams its output here."
    />
  );
}
