"use client";

import { cn } from "@/components/ui";
import { layoutGraph, NODE } from "./layout";

interface Step {
  stepId: string;
  uses: string;
  needs: string[];
  status: string;
  attempts: number;
}

/** Node colours by state: the badge tones' soft fill and strong stroke. */
const NODE_CLASS: Record<string, string> = {
  pending: "fill-muted stroke-border",
  running: "fill-info-soft stroke-info",
  succeeded: "fill-success-soft stroke-success",
  failed: "fill-danger-soft stroke-danger",
  skipped: "fill-warning-soft stroke-warning",
  cancelled: "fill-warning-soft stroke-warning",
};

/** The run as a graph: an SVG of layered steps (by depth in `needs`), edges from each need; click selects. */
export function RunGraph({
  steps,
  selected,
  onSelect,
}: {
  steps: Step[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const graph = layoutGraph(steps);
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  return (
    <div className="overflow-x-auto rounded-md border bg-card">
      <svg
        role="img"
        aria-label="Run graph"
        width={graph.width}
        height={graph.height}
        viewBox={`0 0 ${graph.width} ${graph.height}`}
        className="block"
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M 0 0 L 10 5 L 0 10 z" className="fill-muted-foreground" />
          </marker>
        </defs>
        {graph.edges.map((e) => (
          <path
            key={`${e.from}>${e.to}`}
            d={e.path}
            className="fill-none stroke-muted-foreground"
            strokeWidth={1.5}
            markerEnd="url(#arrow)"
          />
        ))}
        {graph.nodes.map((n) => {
          const step = byId.get(n.id);
          if (!step) return null;
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it has role, tabIndex and keys
            <g
              key={n.id}
              role="button"
              tabIndex={0}
              aria-label={`${n.id}: ${step.status}`}
              data-step={n.id}
              data-status={step.status}
              className="cursor-pointer outline-none"
              onClick={() => onSelect(n.id)}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") onSelect(n.id);
              }}
            >
              <rect
                x={n.x}
                y={n.y}
                width={NODE.width}
                height={NODE.height}
                rx={8}
                strokeWidth={selected === n.id ? 3 : 1.5}
                className={cn(
                  NODE_CLASS[step.status] ?? NODE_CLASS.pending,
                  step.status === "running" && "animate-pulse",
                )}
              />
              <text x={n.x + 12} y={n.y + 21} className="fill-foreground font-medium text-[13px]">
                {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
              </text>
              <text x={n.x + 12} y={n.y + 39} className="fill-muted-foreground text-[11px]">
                {step.uses} · {step.status}
                {step.attempts > 1 ? ` · ${step.attempts} tries` : ""}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
