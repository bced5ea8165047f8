"use client";

import { useState } from "react";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Button, Checkbox, cn } from "@/components/ui";
import {
  KEY_PURPOSE_LABELS,
  KEY_PURPOSES,
  type KeyPurpose,
  purposeOf,
  scopesBeyondRole,
  scopesForPurpose,
} from "@/lib/api-key-presets";
import { SCOPES, type Scope } from "@/lib/scopes";

const groups = [...new Set(SCOPES.map((s) => s.split(":")[0]))];

/**
 * What the key is for (a purpose fills the scopes), and the scopes themselves: ticking one by hand makes the
 * purpose Custom. Scopes beyond the creator's role are disabled, and a purpose names the ones it had to leave out.
 */
export function KeyPurposeFields({
  scopes,
  onChange,
  error,
}: {
  scopes: Scope[];
  onChange: (scopes: Scope[]) => void;
  error?: string | null;
}) {
  const { can } = useProjectAccess();
  // Custom is a choice of its own even while the ticked scopes happen to equal a purpose's.
  const [customChosen, setCustomChosen] = useState(false);
  const purpose = customChosen ? "custom" : purposeOf(scopes, can);
  const beyond = scopesBeyondRole(purpose, can);
  const pick = (next: KeyPurpose) => {
    setCustomChosen(next === "custom");
    // Custom keeps what is ticked, to change by hand.
    if (next !== "custom") onChange(scopesForPurpose(next, can));
  };
  const toggle = (scope: Scope, on: boolean) => onChange(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));

  return (
    <fieldset className="flex min-w-0 flex-col gap-3">
      <legend className="mb-1 font-medium text-sm">What is this key for?</legend>
      <div role="radiogroup" aria-label="Key purpose" className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        {KEY_PURPOSES.map((p) => (
          <label
            key={p}
            className={cn(
              "flex cursor-pointer items-start gap-2 rounded-md border p-2 text-sm",
              purpose === p ? "border-primary bg-primary/5" : "border-border",
            )}
          >
            <input
              type="radio"
              name="key-purpose"
              value={p}
              checked={purpose === p}
              onChange={() => pick(p)}
              className="mt-1 accent-primary"
            />
            <span className="flex flex-col">
              <span className="font-medium">{KEY_PURPOSE_LABELS[p].title}</span>
              <span className="text-muted-foreground text-xs">{KEY_PURPOSE_LABELS[p].description}</span>
            </span>
          </label>
        ))}
      </div>
      {beyond.length > 0 && (
        <p className="text-muted-foreground text-xs" data-testid="scopes-beyond-role">
          Left out, beyond your role: {beyond.join(", ")}
        </p>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium text-sm">Scopes ({scopes.length})</span>
        <Button type="button" size="sm" variant="ghost" onClick={() => onChange(SCOPES.filter(can))}>
          All I have
        </Button>
      </div>
      <div className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-md border border-border p-3 sm:grid-cols-2">
        {groups.map((group) => (
          <div key={group} className="flex flex-col gap-1">
            {SCOPES.filter((s) => s.startsWith(`${group}:`)).map((scope) => (
              <Checkbox
                key={scope}
                label={<code className="font-mono text-xs">{scope}</code>}
                checked={scopes.includes(scope)}
                disabled={!can(scope)}
                title={can(scope) ? undefined : "Your role does not hold this scope, so a key you create cannot"}
                onChange={(e) => toggle(scope, e.target.checked)}
              />
            ))}
          </div>
        ))}
      </div>
      {error && (
        <p role="alert" className="text-danger text-sm">
          {error}
        </p>
      )}
    </fieldset>
  );
}
