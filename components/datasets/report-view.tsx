"use client";

import type { RouterOutputs } from "@/components/providers/trpc";
import { Badge } from "@/components/ui";
import { ScrollBox } from "@/components/ui/scroll-box";

type Report = RouterOutputs["datasets"]["get"]["versions"][number]["report"];
type Issue = NonNullable<Report["issues"]>["errorSample"][number];

const n = (value: number) => value.toLocaleString("en-US");

/** Filter reasons in words (`FilterReason` in server/modules/datasets/core/transforms.ts). */
const DROP_REASONS: Record<string, string> = {
  too_few_tokens: "Fewer tokens than the minimum",
  too_many_tokens: "More tokens than the maximum",
  missing_role: "Missing the required role",
  forbidden_role: "Has a forbidden role",
  no_include_match: "Did not match the include pattern",
  excluded_by_pattern: "Matched the exclude pattern",
};

/**
 * A version's report (or a preview's) as people read it: what the import accepted and refused, line by line;
 * what a mask found by kind; what a filter, dedupe, split or merge kept. `versions` names merged versions.
 */
export function ReportView({
  report,
  versions = [],
}: {
  report: Report;
  versions?: { id: string; version: number }[];
}) {
  const sections = [
    report.issues && <ImportReport key="import" report={report} />,
    report.masking && <MaskingReport key="mask" masking={report.masking} />,
    report.duplicatesRemoved !== undefined && (
      <p key="dedupe">
        <strong>{n(report.duplicatesRemoved)}</strong> duplicate examples removed.
      </p>
    ),
    report.dropped && <FilterReport key="filter" kept={report.kept ?? 0} dropped={report.dropped} />,
    report.split && (
      <KeyValues
        key="split"
        label="Examples per split"
        rows={[
          ["train", n(report.split.train)],
          ["validation", n(report.split.validation)],
        ]}
      />
    ),
    report.merged && (
      <p key="merge">
        Merged, in order:{" "}
        {report.merged
          .map((id) => versions.find((v) => v.id === id))
          .map((v, i) => (v ? `v${v.version}` : `version ${report.merged?.[i].slice(0, 8)}`))
          .join(", ")}
        .
      </p>
    ),
  ].filter(Boolean);
  if (sections.length === 0) return <p className="text-muted-foreground text-sm">Nothing to report.</p>;
  return <div className="flex flex-col gap-3 text-sm">{sections}</div>;
}

function ImportReport({ report }: { report: Report }) {
  const issues = report.issues;
  if (!issues) return null;
  const counts = Object.entries(issues.counts).filter(([, c]) => (c ?? 0) > 0);
  return (
    <div className="flex flex-col gap-3">
      <KeyValues
        label="Import"
        rows={[
          ["Lines read", n(issues.lines)],
          ["Accepted", n(issues.acceptedLines)],
          ["Dropped (rejected)", n(issues.rejectedLines)],
          ["Warnings", n(issues.warnings)],
          ...(report.bytes !== undefined ? [["Size", `${n(report.bytes)} bytes`] as [string, string]] : []),
        ]}
      />
      {report.decision && <p className="text-muted-foreground">{report.decision}</p>}
      {counts.length > 0 && (
        <KeyValues label="Problems by kind" rows={counts.map(([code, c]) => [code.replaceAll("_", " "), n(c ?? 0)])} />
      )}
      <IssueTable title="Dropped lines" items={issues.errorSample} total={issues.errors} />
      <IssueTable title="Warnings" items={issues.warningSample} total={issues.warnings} />
    </div>
  );
}

function IssueTable({ title, items, total }: { title: string; items: Issue[]; total: number }) {
  if (items.length === 0) return null;
  return (
    <section aria-label={title} className="flex flex-col gap-1">
      <h4 className="font-medium text-xs">
        {title} ({n(total)}){total > items.length && ` — the first ${n(items.length)} are listed`}
      </h4>
      <ScrollBox label="Lines (scrolls sideways)" className="rounded-md border border-border">
        <table className="w-full text-left text-xs">
          <thead className="bg-muted text-muted-foreground">
            <tr>
              <th className="px-2 py-1 font-medium">Line</th>
              <th className="px-2 py-1 font-medium">Problem</th>
              <th className="px-2 py-1 font-medium">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={`${i.line}:${i.code}:${i.path ?? ""}`} className="border-border border-t align-top">
                <td className="px-2 py-1 font-mono tabular-nums">{i.line}</td>
                <td className="px-2 py-1">
                  <Badge tone={title === "Warnings" ? "warning" : "danger"}>{i.code.replaceAll("_", " ")}</Badge>
                </td>
                <td className="break-words px-2 py-1">{i.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}

function MaskingReport({ masking }: { masking: NonNullable<Report["masking"]> }) {
  const kinds = Object.entries(masking.occurrences).filter(([, c]) => c > 0);
  return (
    <div className="flex flex-col gap-2">
      <p>
        <strong>{n(masking.examplesAffected)}</strong> of {n(masking.examples)} examples contain personal data.
      </p>
      {kinds.length > 0 && (
        <ScrollBox label="Masked by kind (scrolls sideways)" className="rounded-md border border-border">
          <table className="w-full text-left text-xs" aria-label="Masked by kind">
            <thead className="bg-muted text-muted-foreground">
              <tr>
                <th className="px-2 py-1 font-medium">Kind</th>
                <th className="px-2 py-1 text-right font-medium">Occurrences</th>
                <th className="px-2 py-1 text-right font-medium">Examples</th>
              </tr>
            </thead>
            <tbody>
              {kinds.map(([kind, c]) => (
                <tr key={kind} className="border-border border-t">
                  <td className="px-2 py-1">{kind.toLowerCase().replaceAll("_", " ")}</td>
                  <td className="px-2 py-1 text-right tabular-nums">{n(c)}</td>
                  <td className="px-2 py-1 text-right tabular-nums">
                    {n(masking.examplesByKind[kind as keyof typeof masking.examplesByKind] ?? 0)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </div>
  );
}

function FilterReport({ kept, dropped }: { kept: number; dropped: NonNullable<Report["dropped"]> }) {
  const reasons = Object.entries(dropped).filter(([, c]) => c > 0);
  return (
    <KeyValues
      label="Filter"
      rows={[["Kept", n(kept)], ...reasons.map(([r, c]) => [DROP_REASONS[r] ?? r, n(c)] as [string, string])]}
    />
  );
}

function KeyValues({ label, rows }: { label: string; rows: [string, string][] }) {
  return (
    <section aria-label={label}>
      <h4 className="mb-1 font-medium text-xs">{label}</h4>
      <dl className="grid grid-cols-[auto_auto] justify-start gap-x-6 gap-y-0.5">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
