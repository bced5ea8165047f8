"use client";

import { Plus, Timer, X } from "lucide-react";
import type { ReactNode } from "react";
import { Button, Checkbox } from "@/components/ui";
import { getPath } from "@/lib/routes/form-sync";
import { GUARDS, type GuardKind, type GuardStage, guardInfo } from "@/lib/routes/guards";
import { BoolField, ChoiceField, type FormApi, LinesField, NumberField, Section, TextField } from "./form-fields";

const ACTIONS = ["block", "mask", "flag"] as const;
const PII_KINDS = ["EMAIL", "PHONE", "CARD", "IBAN", "SSN", "NATIONAL_ID", "IP", "SECRET"] as const;

/** Input and output guardrails: each present guard as fields with what it costs; absent kinds as "Add" buttons. */
export function RouteFormGuards({ api }: { api: FormApi }) {
  return (
    <>
      <StageGuards
        api={api}
        stage="input"
        title="Input guards"
        note="Checked once on the prompt, before the model is called."
      >
        <NumberField
          api={api}
          path={["pipeline", "input", "maxInputTokens"]}
          label="Refuse prompts above (tokens)"
          step={1}
          placeholder="no limit"
          className="sm:max-w-xs"
        />
      </StageGuards>
      <StageGuards
        api={api}
        stage="output"
        title="Output guards"
        note="Checked on the answer; streamed text is held back until it is checked."
      >
        <NumberField
          api={api}
          path={["pipeline", "output", "holdbackChars"]}
          label="Hold back on streams (characters)"
          step={1}
          placeholder="64"
          className="sm:max-w-xs"
          hint={guardInfo("output", "regex")?.latency}
        />
      </StageGuards>
    </>
  );
}

function StageGuards({
  api,
  stage,
  title,
  note,
  children,
}: {
  api: FormApi;
  stage: GuardStage;
  title: string;
  note: string;
  children: ReactNode;
}) {
  const kinds = GUARDS.filter((g) => g.stage === stage);
  const present = (kind: GuardKind) => getPath(api.draft, ["pipeline", stage, kind]) !== undefined;
  const add = (kind: GuardKind) => {
    const snippet = guardInfo(stage, kind)?.snippet;
    if (kind !== "regex") return api.set(["pipeline", stage, kind], snippet);
    const list = getPath(api.draft, ["pipeline", stage, "regex"]);
    const items = Array.isArray(list) ? list : [];
    api.set(["pipeline", stage, "regex"], [...items, { ...(snippet as object), name: `pattern-${items.length + 1}` }]);
  };
  return (
    <Section
      title={title}
      note={note}
      actions={
        <div className="flex flex-wrap gap-1">
          {kinds
            .filter((g) => g.kind === "regex" || !present(g.kind))
            .map((g) => (
              <Button
                key={g.kind}
                size="sm"
                variant="secondary"
                disabled={api.readOnly}
                title={`${g.summary} ${g.latency}`}
                onClick={() => add(g.kind)}
              >
                <Plus aria-hidden /> {g.kind}
              </Button>
            ))}
        </div>
      }
    >
      {kinds.map((g) =>
        g.kind === "regex" ? (
          <RegexGuards key={g.kind} api={api} stage={stage} />
        ) : present(g.kind) ? (
          <GuardCard
            key={g.kind}
            api={api}
            stage={stage}
            kind={g.kind}
            onRemove={() => api.set(["pipeline", stage, g.kind], undefined)}
          >
            {g.kind === "blocklist" && <BlocklistFields api={api} base={["pipeline", stage, "blocklist"]} />}
            {g.kind === "pii" && <PiiFields api={api} base={["pipeline", stage, "pii"]} />}
            {g.kind === "injection" && (
              <div className="grid gap-3 sm:grid-cols-2">
                <ChoiceField
                  api={api}
                  path={["pipeline", stage, "injection", "action"]}
                  label="Action"
                  options={["block", "flag"]}
                  fallback="block"
                />
                <NumberField
                  api={api}
                  path={["pipeline", stage, "injection", "threshold"]}
                  label="Score threshold (0–1)"
                  placeholder="0.5"
                  step={0.05}
                />
              </div>
            )}
          </GuardCard>
        ) : null,
      )}
      {children}
    </Section>
  );
}

/** One guard: its name, what it costs, its fields and a remove button. */
function GuardCard({
  api,
  stage,
  kind,
  title,
  onRemove,
  children,
}: {
  api: FormApi;
  stage: GuardStage;
  kind: GuardKind;
  title?: string;
  onRemove: () => void;
  children: ReactNode;
}) {
  const info = guardInfo(stage, kind);
  const label = title ?? info?.label ?? kind;
  return (
    <div className="flex flex-col gap-3 rounded-md bg-subtle p-3" data-testid={`guard-${stage}-${kind}`}>
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <div className="font-medium text-sm">{label}</div>
          <p className="flex items-start gap-1 text-muted-foreground text-xs">
            <Timer className="mt-0.5 size-3 shrink-0" aria-hidden />
            <span>{info?.latency}</span>
          </p>
        </div>
        <Button size="icon" variant="ghost" disabled={api.readOnly} aria-label={`Remove ${label}`} onClick={onRemove}>
          <X aria-hidden />
        </Button>
      </div>
      {children}
    </div>
  );
}

function BlocklistFields({ api, base }: { api: FormApi; base: string[] }) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <LinesField api={api} path={[...base, "words"]} label="Words (one per line)" />
      <div className="flex flex-col gap-3">
        <ChoiceField api={api} path={[...base, "action"]} label="Action" options={ACTIONS} fallback="block" />
        <BoolField api={api} path={[...base, "caseSensitive"]} label="Case-sensitive" fallback={false} />
      </div>
    </div>
  );
}

function PiiFields({ api, base }: { api: FormApi; base: string[] }) {
  const kinds = getPath(api.draft, [...base, "kinds"]);
  const chosen = Array.isArray(kinds) ? (kinds as string[]) : null;
  const toggle = (kind: string, on: boolean) => {
    const current = chosen ?? [...PII_KINDS];
    const next = on ? [...current, kind] : current.filter((k) => k !== kind);
    api.set([...base, "kinds"], next.length === PII_KINDS.length ? undefined : next);
  };
  return (
    <div className="flex flex-col gap-3">
      <ChoiceField
        api={api}
        path={[...base, "action"]}
        label="Action"
        options={ACTIONS}
        fallback="mask"
        className="sm:max-w-xs"
      />
      <fieldset className="flex flex-wrap gap-x-4 gap-y-2">
        <legend className="mb-1 font-medium text-sm">Kinds (all when none is unticked)</legend>
        {PII_KINDS.map((kind) => (
          <Checkbox
            key={kind}
            label={kind}
            disabled={api.readOnly}
            checked={chosen ? chosen.includes(kind) : true}
            onChange={(e) => toggle(kind, e.target.checked)}
          />
        ))}
      </fieldset>
      {api.error([...base, "kinds"].join(".")) ? (
        <p role="alert" className="font-medium text-danger text-xs">
          {api.error([...base, "kinds"].join("."))}
        </p>
      ) : null}
    </div>
  );
}

function RegexGuards({ api, stage }: { api: FormApi; stage: GuardStage }) {
  const list = getPath(api.draft, ["pipeline", stage, "regex"]);
  if (!Array.isArray(list)) return null;
  const listError = api.error(`pipeline.${stage}.regex`);
  return (
    <>
      {list.map((item, i) => {
        const base = ["pipeline", stage, "regex", i];
        const name = (item as { name?: unknown })?.name;
        return (
          <GuardCard
            // biome-ignore lint/suspicious/noArrayIndexKey: items are positions in the YAML list
            key={i}
            api={api}
            stage={stage}
            kind="regex"
            title={`${guardInfo(stage, "regex")?.label}${typeof name === "string" && name ? `: ${name}` : ""}`}
            onRemove={() => {
              const rest = list.filter((_, j) => j !== i);
              api.set(["pipeline", stage, "regex"], rest.length ? rest : undefined);
            }}
          >
            <div className="grid gap-3 sm:grid-cols-2">
              <TextField api={api} path={[...base, "name"]} label="Name" keepEmpty />
              <TextField api={api} path={[...base, "pattern"]} label="Pattern (RE2)" keepEmpty />
              <TextField api={api} path={[...base, "flags"]} label="Flags (i, m, s, u)" placeholder="i" />
              <ChoiceField api={api} path={[...base, "action"]} label="Action" options={ACTIONS} fallback="block" />
              <TextField
                api={api}
                path={[...base, "replacement"]}
                label="Replacement (mask)"
                placeholder="[REDACTED]"
              />
            </div>
          </GuardCard>
        );
      })}
      {listError && !list.some((_, i) => api.error(`pipeline.${stage}.regex.${i}`)) ? (
        <p role="alert" className="font-medium text-danger text-xs">
          {listError}
        </p>
      ) : null}
    </>
  );
}
