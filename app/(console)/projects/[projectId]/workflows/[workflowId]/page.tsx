import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { WorkflowEditor } from "@/components/workflows/workflow-editor";

export const metadata: Metadata = { title: "Workflow" };

export default async function WorkflowPage({ params }: { params: Promise<{ projectId: string; workflowId: string }> }) {
  const { projectId, workflowId } = await params;
  await requireResource(projectId, "workflow", workflowId);
  return <WorkflowEditor workflowId={workflowId} />;
}
