"use client";

import { useMemo, useState } from "react";
import { Card, CardContent, Select } from "@/components/ui";
import { DiffHunks } from "@/components/versioning/diff-hunks";
import { diffText } from "@/lib/text-diff";
import type { RouteDetailData } from "./types";

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
        <DiffHunks diff={diff} empty="The two versions have the same text." />
      </CardContent>
    </Card>
  );
}
