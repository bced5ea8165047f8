import { Gauge } from "lucide-react";
import type { Metadata } from "next";
import { FeatureEmptyState } from "@/components/placeholders/coming-soon";

export const metadata: Metadata = { title: "Monitoring" };

export default function MonitoringPage() {
  return (
    <FeatureEmptyState
      title="Monitoring"
      description="Latency, time to first token, tokens per second, cost and errors across the gateway."
      icon={Gauge}
      emptyTitle="No traffic yet"
      emptyDescription="Requests through the gateway are logged and charted here."
    />
  );
}
