import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { ExperimentDetail } from "@/components/experiments/experiment-detail";

export const metadata: Metadata = { title: "Experiment" };

export default async function ExperimentPage({
  params,
}: {
  params: Promise<{ projectId: string; experimentId: string }>;
}) {
  const { projectId, experimentId } = await params;
  await requireResource(projectId, "experiment", experimentId);
  return <ExperimentDetail experimentId={experimentId} />;
}
