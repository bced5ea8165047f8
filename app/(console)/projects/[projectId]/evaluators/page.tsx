import type { Metadata } from "next";
import { EvaluatorsList } from "@/components/evaluators/evaluators-list";

export const metadata: Metadata = { title: "Evaluators" };

export default function EvaluatorsPage() {
  return <EvaluatorsList />;
}
