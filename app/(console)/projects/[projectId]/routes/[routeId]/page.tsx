import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { RouteDetail } from "@/components/routes/route-detail";

export const metadata: Metadata = { title: "Route" };

export default async function RoutePage({ params }: { params: Promise<{ projectId: string; routeId: string }> }) {
  const { projectId, routeId } = await params;
  await requireResource(projectId, "route", routeId);
  return <RouteDetail routeId={routeId} />;
}
