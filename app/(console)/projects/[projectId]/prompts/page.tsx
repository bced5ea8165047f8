import { MessageSquareText } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Prompts" };

export default function PromptsPage() {
  return (
    <FeatureEmptyState
      title="Prompts"
      description="Versioned prompt templates with labels such as production and staging."
      icon={MessageSquareText}
      emptyTitle="No prompts yet"
      emptyDescription="Create a prompt template to version it, label it and serve it to your applications."
    />
  );
}
