// The run graph's layout: layers by depth in `needs` (a step is one layer right of the deepest step it needs),
// steps in a layer in document order. Pure, so it is tested without a browser.
export interface GraphStep {
  stepId: string;
  needs: string[];
}

interface PlacedNode {
  id: string;
  x: number;
  y: number;
}

export const NODE = { width: 168, height: 52, gapX: 56, gapY: 20, pad: 12 };

export function layoutGraph(steps: GraphStep[]) {
  const depth = new Map<string, number>();
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const depthOf = (id: string, seen: Set<string> = new Set()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot be saved; guard anyway
    seen.add(id);
    const needs = byId.get(id)?.needs.filter((n) => byId.has(n)) ?? [];
    const d = needs.length ? 1 + Math.max(...needs.map((n) => depthOf(n, seen))) : 0;
    depth.set(id, d);
    return d;
  };
  const layers: string[][] = [];
  for (const s of steps) {
    const d = depthOf(s.stepId);
    layers[d] = [...(layers[d] ?? []), s.stepId];
  }
  const nodes: PlacedNode[] = [];
  layers.forEach((layer, column) => {
    layer.forEach((id, row) => {
      nodes.push({
        id,
        x: NODE.pad + column * (NODE.width + NODE.gapX),
        y: NODE.pad + row * (NODE.height + NODE.gapY),
      });
    });
  });
  const tallest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const width = NODE.pad * 2 + layers.length * NODE.width + Math.max(0, layers.length - 1) * NODE.gapX;
  const height = NODE.pad * 2 + tallest * NODE.height + (tallest - 1) * NODE.gapY;
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges = steps.flatMap((s) =>
    s.needs.flatMap((need) => {
      const from = at.get(need);
      const to = at.get(s.stepId);
      return from && to ? [{ from: need, to: s.stepId, path: edgePath(from, to) }] : [];
    }),
  );
  return { nodes, edges, width, height };
}

function edgePath(from: PlacedNode, to: PlacedNode): string {
  const x1 = from.x + NODE.width;
  const y1 = from.y + NODE.height / 2;
  const x2 = to.x;
  const y2 = to.y + NODE.height / 2;
  const mid = (x1 + x2) / 2;
  return `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
}
