import { cn } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import type { TextDiff } from "@/server/modules/prompts/diff";

/** A line diff as unified hunks (+/- lines), shared by the prompt and route version diffs. */
export function DiffHunks({ diff, empty = "No changes." }: { diff: TextDiff; empty?: string }) {
  if (diff.hunks.length === 0) return <p className="text-muted-foreground text-xs">{empty}</p>;
  return (
    <ScrollBox label="Diff (scrolls sideways)" className="rounded-md border border-border font-mono text-xs">
      {diff.hunks.map((hunk) => (
        <div key={hunk.header}>
          <div className="bg-muted px-2 py-0.5 text-muted-foreground">{hunk.header}</div>
          {hunk.lines.map((line, i) => (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
              key={i}
              className={cn(
                "flex whitespace-pre-wrap px-2",
                line.type === "add" && "bg-success-soft text-success",
                line.type === "remove" && "bg-danger-soft text-danger",
              )}
            >
              <span className="w-4 shrink-0 select-none">
                {line.type === "add" ? "+" : line.type === "remove" ? "-" : " "}
              </span>
              <span>{line.text}</span>
            </div>
          ))}
        </div>
      ))}
    </ScrollBox>
  );
}
