import type { RouterOutputs } from "@/components/providers/trpc";

/** One prompt with its versions and labels, as the detail page loads it and its tabs receive it. */
export type PromptDetailData = RouterOutputs["prompts"]["get"];
