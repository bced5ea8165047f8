"use client";

import { Download } from "lucide-react";
import { buttonStyles, cn } from "@/components/ui";

interface VersionLineage {
  id: string;
  parentId: string | null;
  operation: string;
}

/** Whether the version or one of its ancestors was split (its rows then carry train/validation). */
export function hasSplit(versionId: string, versions: VersionLineage[]): boolean {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const seen = new Set<string>();
  for (let v = byId.get(versionId); v && !seen.has(v.id); v = v.parentId ? byId.get(v.parentId) : undefined) {
    seen.add(v.id);
    if (v.operation === "split") return true;
  }
  return false;
}

/**
 * Plain download links: the browser sends its session cookie and the server exports from the version's own
 * project, so no header is needed. Train and validation need a split somewhere in the version's lineage.
 */
export function ExportLinks({ versionId, split }: { versionId: string; split: boolean }) {
  const href = (which: string) => `/api/rest/datasets/versions/${versionId}/export?split=${which}`;
  const style = buttonStyles({ variant: "secondary", size: "sm" });
  const noSplit = "This version has no train/validation split: split it first";
  return (
    <fieldset aria-label="Export JSONL" className="m-0 flex min-w-0 flex-wrap items-center gap-1 border-0 p-0">
      <a className={style} href={href("all")} download>
        <Download className="size-4" aria-hidden /> Export all
      </a>
      {(["train", "validation"] as const).map((which) =>
        split ? (
          <a key={which} className={style} href={href(which)} download>
            {which}
          </a>
        ) : (
          <span key={which} title={noSplit} className={cn(style, "cursor-not-allowed opacity-50")} aria-disabled="true">
            {which}
          </span>
        ),
      )}
    </fieldset>
  );
}
