import { Badge, type BadgeTone } from "@/components/ui";

const TONES: Record<string, BadgeTone> = {
  draft: "neutral",
  running: "success",
  stopped: "warning",
  concluded: "info",
};

export function ExperimentStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={TONES[status] ?? "neutral"} dot={status === "running"}>
      {status}
    </Badge>
  );
}

const COLORS = [
  "var(--primary)",
  "#16a34a",
  "#f59e0b",
  "#db2777",
  "#0891b2",
  "#7c3aed",
  "#65a30d",
  "#dc2626",
  "#0d9488",
  "#9333ea",
];
export const variantColor = (i: number) => COLORS[i % COLORS.length];

/** The configured split as one bar. */
export function SplitBar({ variants }: { variants: { key: string; weight: number }[] }) {
  return (
    <div
      className="flex h-2 w-full overflow-hidden rounded-full bg-muted"
      role="img"
      aria-label={variants.map((v) => `${v.key} ${v.weight}%`).join(", ")}
    >
      {variants.map((v, i) => (
        <div key={v.key} style={{ width: `${v.weight}%`, background: variantColor(i) }} />
      ))}
    </div>
  );
}
