import { Badge, type BadgeTone } from "@/components/ui";

/** One colour per run and step state, shared by the list, the run page and the graph. */
const STATUS_TONE: Record<string, BadgeTone> = {
  queued: "neutral",
  pending: "neutral",
  running: "info",
  succeeded: "success",
  failed: "danger",
  skipped: "warning",
  cancelled: "warning",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? "neutral"} dot>
      {status}
    </Badge>
  );
}
