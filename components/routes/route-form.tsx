"use client";

import { Plus, X } from "lucide-react";
import { Button, Input } from "@/components/ui";
import { getPath } from "@/lib/routes/form-sync";
import { ChoiceField, type FormApi, LinesField, NumberField, Section } from "./form-fields";
import { RouteFormGuards } from "./route-form-guards";
import { RouteFormPipeline } from "./route-form-pipeline";

const STRATEGIES = ["weighted", "least-outstanding", "lowest-latency"] as const;

/** Every setting of a route config as fields; writes go back into the YAML through `api.set`. */
export function RouteForm({ api }: { api: FormApi }) {
  const deployments = getPath(api.draft, ["deployments"]);
  const list = Array.isArray(deployments) ? deployments : [];
  return (
    <div className="flex flex-col gap-3" data-testid="route-form">
      <Section
        title="Deployments"
        note="Registry models that serve this route (name, name@alias, name@3). None: the requested model itself."
        actions={
          <Button
            size="sm"
            variant="secondary"
            disabled={api.readOnly}
            onClick={() => api.set(["deployments"], [...list, { model: "", weight: 1 }])}
          >
            <Plus aria-hidden /> Add deployment
          </Button>
        }
      >
        {list.length === 0 ? (
          <p className="text-muted-foreground text-xs">No deployments: requests go to the model they name.</p>
        ) : (
          <ul className="flex flex-col gap-2">
            {list.map((_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the YAML list
              <li key={i} className="flex flex-wrap items-start gap-2">
                <DeploymentModel api={api} index={i} />
                <NumberField
                  api={api}
                  path={["deployments", i, "weight"]}
                  label="Weight"
                  placeholder="1"
                  step={1}
                  className="w-24"
                />
                <Button
                  size="icon"
                  variant="ghost"
                  className="mt-6"
                  disabled={api.readOnly}
                  aria-label={`Remove deployment ${i + 1}`}
                  onClick={() =>
                    api.set(
                      ["deployments"],
                      list.filter((__, j) => j !== i),
                    )
                  }
                >
                  <X aria-hidden />
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Routing">
        <div className="grid gap-3 sm:grid-cols-2">
          <ChoiceField
            api={api}
            path={["strategy"]}
            label="Strategy"
            options={STRATEGIES}
            fallback="weighted"
            hint="weighted: by share; least-outstanding: fewest in flight; lowest-latency: fastest first token"
          />
          <NumberField
            api={api}
            path={["timeoutMs"]}
            label="Timeout per attempt (ms)"
            placeholder="60000"
            step={1}
            hint="Streamed: to the first token, then between tokens; otherwise the whole answer"
          />
        </div>
        <LinesField
          api={api}
          path={["fallbacks"]}
          label="Fallbacks (one model per line)"
          hint="Tried in order once every deployment failed"
        />
      </Section>
      <Section title="Retries and cooldown">
        <div className="grid gap-3 sm:grid-cols-3">
          <NumberField
            api={api}
            path={["retries", "attempts"]}
            label="Retries per deployment"
            placeholder="1"
            step={1}
          />
          <NumberField
            api={api}
            path={["retries", "backoffMs"]}
            label="First backoff (ms)"
            placeholder="100"
            step={1}
          />
          <NumberField
            api={api}
            path={["retries", "maxBackoffMs"]}
            label="Longest backoff (ms)"
            placeholder="2000"
            step={1}
          />
          <NumberField
            api={api}
            path={["cooldown", "failures"]}
            label="Cooldown after failures"
            placeholder="3"
            step={1}
          />
          <NumberField api={api} path={["cooldown", "seconds"]} label="Cooldown (seconds)" placeholder="30" />
        </div>
      </Section>
      <RouteFormGuards api={api} />
      <RouteFormPipeline api={api} />
    </div>
  );
}

/** The model of one deployment: required, so an empty value stays in the YAML (and is named as missing). */
function DeploymentModel({ api, index }: { api: FormApi; index: number }) {
  const path = ["deployments", index, "model"];
  const value = getPath(api.draft, path);
  const error = api.error(path.join("."));
  const id = `route-deployments-${index}-model`;
  return (
    <div className="flex min-w-48 flex-1 flex-col gap-1.5">
      <label htmlFor={id} className="font-medium text-sm">
        Model {index + 1}
      </label>
      <Input
        id={id}
        className="font-mono"
        placeholder="name@production"
        readOnly={api.readOnly}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => api.set(path, e.target.value)}
      />
      {error ? (
        <p id={`${id}-error`} role="alert" className="font-medium text-danger text-xs">
          {error}
        </p>
      ) : null}
    </div>
  );
}
