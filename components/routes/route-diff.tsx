"use client";

import { useMemo, useState } from "react";
import { Card, CardContent, cn, Select } from "@/components/ui";
import { diffText } from "@/server/modules/prompts/diff/text";
import type { RouteDetailData } from "./route-detail";

/** The text of two versions, line by line (computed here: both texts are already loaded). */
export function RouteDiff({ route }: { route: RouteDetailData }) {
  const versions = route.versions.map((v) => v.version);
  const [from, setFrom] = useState(versions[1] ?? versions[0] ?? 1);
  const [to, setTo] = useState(versions[0] ?? 1);
  const diff = useMemo(() => {
    const text = (v: number) => route.versions.find((x) => x.version === v)?.source ?? "";
    return diffText(text(from), text(to));
  }, [from, to, route.versions]);
  const picker = (label: string, value: number, set: (v: number) => void) => (
    <Select aria-label={label} value={value} onChange={(e) => set(Number(e.target.value))} className="w-28">
      {versions.map((v) => (
        <option key={v} value={v}>
          v{v}
        </option>
      ))}
    </Select>
  );
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex items-center gap-2 text-sm">
          Compare {picker("From version", from, setFrom)} with {picker("To version", to, setTo)}
        </div>
        {diff.hunks.length === 0 ? (
          <p className="text-muted-foreground text-sm">The two versions have the same text.</p>
        ) : (
          <div className="overflow-x-auto rounded-md border border-border font-mono text-xs">
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
          </div>
        )}
      </CardContent>
    </Card>
  );
}
