import { cn } from "@/components/ui";
import type { CaseComparisonOut } from "@/lib/evals/compare";

type Diff = NonNullable<CaseComparisonOut["diff"]>;
type Line = Diff["hunks"][number]["lines"][number];

interface Row {
  left?: Line;
  right?: Line;
}

/** A hunk as split rows: context on both sides, a run of removals beside the additions that replace it. */
function splitRows(lines: Line[]): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; ) {
    if (lines[i].type === "context") {
      rows.push({ left: lines[i], right: lines[i] });
      i++;
      continue;
    }
    const removed: Line[] = [];
    const added: Line[] = [];
    while (i < lines.length && lines[i].type === "remove") removed.push(lines[i++]);
    while (i < lines.length && lines[i].type === "add") added.push(lines[i++]);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push({ left: removed[k], right: added[k] });
  }
  return rows;
}

function Cell({ line, side, phoneHidden }: { line?: Line; side: "a" | "b"; phoneHidden?: boolean }) {
  const changed = line && line.type !== "context";
  return (
    <div
      className={cn(
        "flex min-w-0 whitespace-pre-wrap break-words px-2 py-px",
        // Stacked on a phone: a context line once, no empty filler cells.
        (phoneHidden || !line) && "max-sm:hidden",
        !line && "bg-muted/40",
        changed && side === "a" && "bg-danger-soft text-danger",
        changed && side === "b" && "bg-success-soft text-success",
      )}
    >
      <span className="w-7 shrink-0 select-none pr-1 text-right text-muted-foreground">
        {side === "a" ? line?.oldLine : line?.newLine}
      </span>
      <span className="min-w-0">{line?.text ?? ""}</span>
    </div>
  );
}

/**
 * The two outputs side by side (A left, B right), changed lines coloured; on a phone the columns stack as a
 * unified diff would read. Hunks keep 3 lines of context; "…" marks what is skipped between them.
 */
export function SplitDiff({ diff, a, b }: { diff: Diff; a: string; b: string }) {
  if (diff.hunks.length === 0)
    return (
      <div className="flex flex-col gap-1">
        <p className="text-muted-foreground text-xs">Same output on both sides.</p>
        <pre className="whitespace-pre-wrap break-words rounded-md border border-border bg-subtle/60 p-2 font-mono text-xs">
          {a}
        </pre>
      </div>
    );
  return (
    <section
      className="overflow-hidden rounded-md border border-border font-mono text-xs"
      aria-label={`Output diff: ${diff.deletions} line(s) only in ${a ? "A" : "A (empty)"}, ${diff.additions} only in ${b ? "B" : "B (empty)"}`}
    >
      <div className="grid grid-cols-2 border-border border-b bg-muted text-muted-foreground max-sm:hidden">
        <span className="px-2 py-0.5">A</span>
        <span className="border-border border-l px-2 py-0.5">B</span>
      </div>
      {diff.hunks.map((hunk, h) => (
        <div key={hunk.header}>
          {h > 0 && <div className="bg-muted px-2 text-center text-muted-foreground">…</div>}
          {splitRows(hunk.lines).map((row, i) => (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
              key={i}
              className="grid grid-cols-2 max-sm:grid-cols-1 [&>*:nth-child(2)]:border-border sm:[&>*:nth-child(2)]:border-l"
            >
              <Cell line={row.left} side="a" />
              <Cell line={row.right} side="b" phoneHidden={row.left === row.right} />
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}
