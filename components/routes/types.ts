import type { RouterOutputs } from "@/components/providers/trpc";

/** One route with its versions and activations, as the detail page loads it and its tabs receive it. */
export type RouteDetailData = RouterOutputs["routes"]["get"];
