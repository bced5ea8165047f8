"use client";

import { useMemo } from "react";
import { Card, CardContent } from "@/components/ui";
import { DiffHunks } from "@/components/versioning/diff-hunks";
import { useVersionPair, VersionPairPicker } from "@/components/versioning/version-pair";
import { diffText } from "@/lib/text-diff";
import type { RouteDetailData } from "./types";

/** The text of two versions, line by line (computed here: both texts are already loaded). */
export function RouteDiff({ route }: { route: RouteDetailData }) {
  const versions = route.versions.map((v) => v.version);
  const pair = useVersionPair(versions);
  const { from, to } = pair;
  const diff = useMemo(() => {
    const text = (v: number) => route.versions.find((x) => x.version === v)?.source ?? "";
    return diffText(text(from), text(to));
  }, [from, to, route.versions]);
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <div className="flex items-center gap-2 text-sm">
          <VersionPairPicker versions={versions} pair={pair} />
        </div>
        <DiffHunks diff={diff} empty="The two versions have the same text." />
      </CardContent>
    </Card>
  );
}
