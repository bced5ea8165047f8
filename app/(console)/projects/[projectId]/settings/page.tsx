import type { Metadata } from "next";
import { ProjectGeneral } from "@/components/settings/project-general";

export const metadata: Metadata = { title: "Settings" };
export default function GeneralSettingsPage() {
  return <ProjectGeneral />;
}
