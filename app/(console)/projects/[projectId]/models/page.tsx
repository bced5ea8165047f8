import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Models" };

export default function ModelsPage() {
  return (
    <FeatureEmptyState
      title="Models"
      description="Register ONNX artifacts and upstream endpoints, version them and move aliases."
      icon={Boxes}
      emptyTitle="No models yet"
      emptyDescription="Registered models and their versions, aliases and measured latency will appear here."
    />
  );
}
