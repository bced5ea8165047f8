import type { Metadata } from "next";
import { SelectionView } from "@/components/models/selection-view";

export const metadata: Metadata = { title: "Compare models" };

export default function CompareModelsPage() {
  return <SelectionView />;
}
