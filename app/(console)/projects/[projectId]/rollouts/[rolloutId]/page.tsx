import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { RolloutDetail } from "@/components/rollouts/rollout-detail";

export const metadata: Metadata = { title: "Rollout" };

export default async function RolloutPage({ params }: { params: Promise<{ projectId: string; rolloutId: string }> }) {
  const { projectId, rolloutId } = await params;
  await requireResource(projectId, "rollout", rolloutId);
  return <RolloutDetail rolloutId={rolloutId} />;
}
