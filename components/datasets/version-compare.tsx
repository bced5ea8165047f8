"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Select } from "@/components/ui";

/** The selected version against another: examples only in each, and whether the content is identical. */
export function VersionCompare({
  versionId,
  versions,
}: {
  versionId: string;
  versions: { id: string; version: number }[];
}) {
  const trpc = useTRPC();
  const others = versions.filter((v) => v.id !== versionId);
  const [other, setOther] = useState(others[0]?.id ?? "");
  const compared = useQuery({ ...trpc.datasets.compare.queryOptions({ a: other, b: versionId }), enabled: !!other });
  if (others.length === 0) return null;
  const c = compared.data as
    | { onlyInA?: number; onlyInB?: number; sameContent?: boolean; a?: { version: number } }
    | undefined;
  return (
    <div className="flex items-center gap-2 text-sm" data-testid="version-compare">
      Compared with
      <Select
        aria-label="Compare with version"
        value={other}
        onChange={(e) => setOther(e.target.value)}
        className="h-8 w-24"
      >
        {others.map((v) => (
          <option key={v.id} value={v.id}>
            v{v.version}
          </option>
        ))}
      </Select>
      {c &&
        (c.sameContent ? (
          <span className="text-muted-foreground">same content</span>
        ) : (
          <span className="text-muted-foreground">
            <span className="text-success">+{c.onlyInB} examples</span> ·{" "}
            <span className="text-danger">−{c.onlyInA} examples</span>
          </span>
        ))}
    </div>
  );
}
