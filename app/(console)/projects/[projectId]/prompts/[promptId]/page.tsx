import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { PromptDetail } from "@/components/prompts/prompt-detail";

export const metadata: Metadata = { title: "Prompt" };

export default async function PromptPage({ params }: { params: Promise<{ projectId: string; promptId: string }> }) {
  const { projectId, promptId } = await params;
  await requireResource(projectId, "prompt", promptId);
  return <PromptDetail promptId={promptId} />;
}
