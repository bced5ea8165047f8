import type { Metadata } from "next";
import { requireResource } from "@/app/(console)/projects/[projectId]/require-resource";
import { ScheduleDetail } from "@/components/schedules/schedule-detail";

export const metadata: Metadata = { title: "Schedule" };

export default async function SchedulePage({ params }: { params: Promise<{ projectId: string; scheduleId: string }> }) {
  const { projectId, scheduleId } = await params;
  await requireResource(projectId, "schedule", scheduleId);
  return <ScheduleDetail scheduleId={scheduleId} />;
}
