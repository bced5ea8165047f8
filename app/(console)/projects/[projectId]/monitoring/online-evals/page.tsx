import type { Metadata } from "next";
import { OnlineRules } from "@/components/online-evals/online-rules";

export const metadata: Metadata = { title: "Online evaluation" };

export default function OnlineEvaluationPage() {
  return <OnlineRules />;
}
