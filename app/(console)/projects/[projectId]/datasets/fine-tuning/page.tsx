import type { Metadata } from "next";
import { FineTuningJobs } from "@/components/datasets/fine-tuning-jobs";

export const metadata: Metadata = { title: "Fine-tuning jobs" };

export default function FineTuningPage() {
  return <FineTuningJobs />;
}
