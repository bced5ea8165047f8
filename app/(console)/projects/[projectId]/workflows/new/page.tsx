import type { Metadata } from "next";
import { WorkflowEditor } from "@/components/workflows/workflow-editor";

export const metadata: Metadata = { title: "New workflow" };

export default async function NewWorkflowPage({ searchParams }: { searchParams: Promise<{ template?: string }> }) {
  const { template } = await searchParams;
  return <WorkflowEditor template={template === "canary-release"} />;
}
