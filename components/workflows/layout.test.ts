import { describe, expect, it } from "vitest";
import { layoutGraph, NODE } from "./layout";

describe("layoutGraph", () => {
  it("puts each step one layer right of the deepest step it needs", () => {
    const g = layoutGraph([
      { stepId: "a", needs: [] },
      { stepId: "b", needs: ["a"] },
      { stepId: "c", needs: [] },
      { stepId: "d", needs: ["b", "c"] },
    ]);
    const x = Object.fromEntries(g.nodes.map((n) => [n.id, n.x]));
    const column = NODE.width + NODE.gapX;
    expect([x.a, x.b, x.c, x.d]).toEqual([NODE.pad, NODE.pad + column, NODE.pad, NODE.pad + 2 * column]);
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(["a>b", "b>d", "c>d"]);
    expect(g.width).toBe(NODE.pad * 2 + 3 * NODE.width + 2 * NODE.gapX);
    expect(g.height).toBe(NODE.pad * 2 + 2 * NODE.height + NODE.gapY);
  });
});
