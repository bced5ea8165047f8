import type { Metadata } from "next";
import { PromptDetail } from "@/components/prompts/prompt-detail";

export const metadata: Metadata = { title: "Prompt" };

export default async function PromptPage({ params }: { params: Promise<{ promptId: string }> }) {
  const { promptId } = await params;
  return <PromptDetail promptId={promptId} />;
}
