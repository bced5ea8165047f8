"use client";

import { useState } from "react";
import { Select } from "@/components/ui";

/** Two versions to compare: by default the one before the newest, and the newest (`versions` newest first). */
export function useVersionPair(versions: number[]) {
  const [from, setFrom] = useState(versions[1] ?? versions[0] ?? 1);
  const [to, setTo] = useState(versions[0] ?? 1);
  return { from, setFrom, to, setTo };
}

/** "Compare vA with vB": the two selects of a diff view. */
export function VersionPairPicker({ versions, pair }: { versions: number[]; pair: ReturnType<typeof useVersionPair> }) {
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
    <>
      Compare {picker("From version", pair.from, pair.setFrom)} with {picker("To version", pair.to, pair.setTo)}
    </>
  );
}
