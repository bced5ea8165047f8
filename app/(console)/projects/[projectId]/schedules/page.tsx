import type { Metadata } from "next";
import { SchedulesList } from "@/components/schedules/schedules-list";

export const metadata: Metadata = { title: "Schedules" };

export default function SchedulesPage() {
  return <SchedulesList />;
}
