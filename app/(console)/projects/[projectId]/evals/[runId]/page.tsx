import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { RunDetail } from "@/components/eval-results/run-detail";

export const metadata: Metadata = { title: "Eval run" };

export default async function EvalRunPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  const { projectId, runId } = await params;
  await requireResource(projectId, "eval_run", runId);
  return <RunDetail runId={runId} />;
}
