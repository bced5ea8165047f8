import type { Metadata } from "next";
import { EvalRunsList } from "@/components/eval-runs/eval-runs-list";

export const metadata: Metadata = { title: "Evals" };

export default function EvalsPage() {
  return <EvalRunsList />;
}
