import type { RouterOutputs } from "@/components/providers/trpc";

/** One model with its versions and aliases, as the detail page loads it and its panels receive it. */
export type ModelDetailData = RouterOutputs["models"]["get"];
