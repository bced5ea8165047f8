"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ShieldCheck } from "lucide-react";
import { useState } from "react";
import { fieldError } from "@/components/providers/errors";
import { FormError } from "@/components/providers/form-error";
import { useTRPC } from "@/components/providers/trpc";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";
import { rowsOf, type ThresholdRow, ThresholdRows, thresholdsOf } from "@/components/releases/threshold-rows";
import {
  Badge,
  Button,
  Card,
  CardContent,
  Checkbox,
  ConfirmDialog,
  Field,
  Input,
  Select,
  toast,
} from "@/components/ui";
import { describeThreshold } from "@/lib/evals/gate";

interface Props {
  subjectType: "prompt" | "model";
  subjectId: string;
  /** "label" for prompts, "alias" for models: the word the page uses. */
  noun: "label" | "alias";
}

/**
 * The release policies guarding a prompt's labels or a model's aliases: what each requires, and (owners and
 * admins, `releases:write`) a form to set or remove one. The move form shows a policy's refusal.
 */
export function ReleasePolicyPanel({ subjectType, subjectId, noun }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectAccess();
  const policies = useQuery(trpc.releasePolicies.list.queryOptions({ subjectType, subjectId }));
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({}), enabled: can("releases:write") });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.releasePolicies.list.queryKey({ subjectType, subjectId }) });
  const save = useMutation(
    trpc.releasePolicies.save.mutationOptions({
      onSuccess: (p) => {
        toast.success(`Release policy on ${p.label} saved`);
        void refresh();
      },
    }),
  );
  const remove = useMutation(trpc.releasePolicies.delete.mutationOptions({ onSuccess: () => void refresh() }));
  const [form, setForm] = useState({ label: "production", maxAgeHours: "168", datasetVersionId: "", require: true });
  const [thresholds, setThresholds] = useState<ThresholdRow[]>([]);
  const [removing, setRemoving] = useState<string | null>(null);
  const mayWrite = can("releases:write");
  const versionNames = new Map(
    (datasets.data ?? []).flatMap((d) => d.versions.map((v) => [v.id, `${d.name}@${v.version}`] as const)),
  );

  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4">
        <h3 className="flex items-center gap-1.5 font-medium text-sm">
          <ShieldCheck className="size-4" aria-hidden /> Release policy
        </h3>
        {policies.isLoading ? (
          <p className="text-muted-foreground text-sm">Loading…</p>
        ) : policies.data?.length ? (
          <ul className="flex flex-col gap-2 text-sm">
            {policies.data.map((p) => (
              <li key={p.id} className="flex flex-wrap items-center gap-2">
                <Badge tone={p.requirePassingEval ? "success" : "neutral"}>{p.label}</Badge>
                <span className="min-w-56 flex-1">
                  {p.requirePassingEval
                    ? `Moving it needs a passing eval run of that exact version from the last ${p.maxAgeHours} h${
                        p.datasetVersionId
                          ? ` over ${versionNames.get(p.datasetVersionId) ?? `dataset version ${p.datasetVersionId}`}`
                          : ""
                      }.`
                    : "Not enforced (kept, but moves are not checked)."}
                  {p.requirePassingEval && p.thresholds.length > 0 && (
                    <span className="block text-muted-foreground text-xs">
                      Its results must meet: {p.thresholds.map(describeThreshold).join(" · ")}
                    </span>
                  )}
                </span>
                {mayWrite && (
                  <>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Edit the policy on ${p.label}`}
                      onClick={() => {
                        setForm({
                          label: p.label,
                          maxAgeHours: String(p.maxAgeHours),
                          datasetVersionId: p.datasetVersionId ?? "",
                          require: p.requirePassingEval,
                        });
                        setThresholds(rowsOf(p.thresholds));
                      }}
                    >
                      Edit
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setRemoving(p.label)}>
                      Remove
                    </Button>
                  </>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-muted-foreground text-sm">
            No policy: any editor can move any {noun}. Guard <code>production</code> so it only moves to versions that
            passed an eval (<code>npx switchyard eval</code>).
          </p>
        )}
        {mayWrite ? (
          <form
            className="grid grid-cols-1 items-end gap-2 sm:grid-cols-[8rem_7rem_1fr_auto]"
            aria-label="Set a release policy"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate({
                subjectType,
                subjectId,
                label: form.label,
                requirePassingEval: form.require,
                maxAgeHours: Number(form.maxAgeHours),
                datasetVersionId: form.datasetVersionId || null,
                thresholds: thresholdsOf(thresholds),
              });
            }}
          >
            <Field
              label={noun === "label" ? "Guarded label" : "Guarded alias"}
              htmlFor="policy-label"
              error={fieldError(save.error, "label")}
            >
              <Input
                id="policy-label"
                value={form.label}
                onChange={(e) => setForm({ ...form, label: e.target.value })}
              />
            </Field>
            <Field label="Max age (h)" htmlFor="policy-age" error={fieldError(save.error, "maxAgeHours")}>
              <Input
                id="policy-age"
                type="number"
                min={1}
                max={8760}
                value={form.maxAgeHours}
                onChange={(e) => setForm({ ...form, maxAgeHours: e.target.value })}
              />
            </Field>
            <Field label="Evaluated on" htmlFor="policy-dataset" error={fieldError(save.error, "datasetVersionId")}>
              <Select
                id="policy-dataset"
                value={form.datasetVersionId}
                onChange={(e) => setForm({ ...form, datasetVersionId: e.target.value })}
              >
                <option value="">Any dataset</option>
                {[...versionNames].map(([id, name]) => (
                  <option key={id} value={id}>
                    {name}
                  </option>
                ))}
              </Select>
            </Field>
            <Button type="submit" loading={save.isPending}>
              Save policy
            </Button>
            {/* The note sits outside the checkbox's label, so the label stays "Require a passing eval run". */}
            <div className="flex flex-col gap-0.5 sm:col-span-4">
              <Checkbox
                checked={form.require}
                onChange={(e) => setForm({ ...form, require: e.target.checked })}
                label="Require a passing eval run"
              />
              <p className="pl-6 text-muted-foreground text-xs">
                Owners and admins can still override a refusal; the override is recorded.
              </p>
            </div>
            <div className="sm:col-span-4">
              <ThresholdRows rows={thresholds} onChange={setThresholds} />
            </div>
            <FormError
              error={save.error}
              fields={["label", "maxAgeHours", "datasetVersionId"]}
              className="sm:col-span-4"
            />
          </form>
        ) : (
          <p className="text-muted-foreground text-xs">{deniedReason(role, "releases:write")} to change it.</p>
        )}
      </CardContent>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove the policy on ${removing}?`}
        description={`Anyone who can move ${noun}s will be able to move ${removing} to any version, evaluated or not.`}
        confirmLabel="Remove policy"
        onConfirm={async () => {
          if (!removing) return;
          await remove.mutateAsync({ subjectType, subjectId, label: removing }).catch((e: Error) => {
            toast.error(e.message);
            throw e;
          });
          setRemoving(null);
        }}
      />
    </Card>
  );
}
