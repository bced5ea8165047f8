"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { Badge, Button, Field, Input } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";
import { kAnonymityInput } from "@/lib/dataset-forms";

const n = (value: number) => value.toLocaleString("en-US");

/**
 * How identifiable examples are by a combination of metadata fields: groups of examples sharing the same
 * values, and those smaller than k (each such example could point at a person).
 */
export function KAnonymityPanel({ versionId }: { versionId: string }) {
  const trpc = useTRPC();
  const [fields, setFields] = useState("");
  const [k, setK] = useState("5");
  const draft = {
    versionId,
    fields: fields
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean),
    k: k.trim() === "" ? undefined : Number(k),
  };
  const v = useLiveValidation(kAnonymityInput, draft);
  const report = useMutation(trpc.datasets.kAnonymity.mutationOptions());
  const r = report.data;
  return (
    <section aria-label="k-anonymity" className="flex flex-col gap-3">
      <p className="text-muted-foreground text-sm">
        Group the examples by metadata fields (dotted paths such as <code>user.country</code>); a group smaller than k
        can single a person out.
      </p>
      <form
        className="flex flex-wrap items-start gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!v.valid) return v.showAll();
          report.mutate(draft as { versionId: string; fields: string[]; k: number });
        }}
      >
        <Field
          label="Metadata fields (comma-separated)"
          htmlFor="kanon-fields"
          error={v.error("fields")}
          className="min-w-0 flex-1 basis-64"
        >
          <Input
            id="kanon-fields"
            placeholder="tenant, user.country"
            value={fields}
            onChange={(e) => setFields(e.target.value)}
          />
        </Field>
        <Field label="k" htmlFor="kanon-k" error={v.error("k")} className="w-24">
          <Input id="kanon-k" inputMode="numeric" value={k} onChange={(e) => setK(e.target.value)} />
        </Field>
        <Button type="submit" variant="secondary" className="mt-6" loading={report.isPending}>
          Check
        </Button>
      </form>
      {report.error && (
        <p role="alert" className="text-danger text-sm">
          {report.error.message}
        </p>
      )}
      {r && (
        <div className="flex flex-col gap-2 text-sm" data-testid="k-anonymity-result">
          <p className="flex flex-wrap items-center gap-2">
            {r.groupsBelowK === 0 ? (
              <Badge tone="success">{r.targetK}-anonymous</Badge>
            ) : (
              <Badge tone="danger">not {r.targetK}-anonymous</Badge>
            )}
            <span>
              {n(r.examples)} examples in {n(r.groups)} groups; the smallest has {n(r.k)}.{" "}
              {r.groupsBelowK > 0 &&
                `${n(r.groupsBelowK)} groups (${n(r.examplesBelowK)} examples) have fewer than ${r.targetK}.`}
            </span>
          </p>
          {r.below.length > 0 && (
            <ScrollBox label="Groups below k (scrolls sideways)" className="rounded-md border border-border">
              <table className="w-full text-left text-xs" aria-label="Groups below k">
                <thead className="bg-muted text-muted-foreground">
                  <tr>
                    {r.fields.map((f) => (
                      <th key={f} className="px-2 py-1 font-medium">
                        {f}
                      </th>
                    ))}
                    <th className="px-2 py-1 text-right font-medium">Examples</th>
                  </tr>
                </thead>
                <tbody>
                  {r.below.map((g) => (
                    <tr key={JSON.stringify(g.values)} className="border-border border-t">
                      {r.fields.map((f) => (
                        <td key={f} className="px-2 py-1 font-mono">
                          {g.values[f] === null ? (
                            <span className="text-muted-foreground">(missing)</span>
                          ) : (
                            JSON.stringify(g.values[f])
                          )}
                        </td>
                      ))}
                      <td className="px-2 py-1 text-right tabular-nums">{n(g.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {r.truncated && (
            <p className="text-muted-foreground text-xs">The {n(r.below.length)} smallest groups are listed.</p>
          )}
        </div>
      )}
    </section>
  );
}
