"use client";

import { getPath } from "@/lib/routes/form-sync";
import { BoolField, type FormApi, NumberField, Section, TextField } from "./form-fields";

/** The rest of the pipeline: normalizing and grounding the prompt, the response cache, postprocessing. */
export function RouteFormPipeline({ api }: { api: FormApi }) {
  return (
    <>
      <Section title="Prompt" note="Normalizing and grounding, before the guards and the model.">
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          <BoolField
            api={api}
            path={["pipeline", "normalize", "trimWhitespace"]}
            label="Trim whitespace"
            fallback
            description="Trim messages, collapse blank lines"
          />
          <BoolField
            api={api}
            path={["pipeline", "normalize", "mergeSystemMessages"]}
            label="Merge system messages"
            fallback={false}
          />
          <BoolField api={api} path={["pipeline", "normalize", "unicodeNfc"]} label="Unicode NFC" fallback />
        </div>
        <TextField
          api={api}
          path={["pipeline", "grounding", "systemContext"]}
          label="System context"
          hint="Prepended as (or to) the system message"
          multiline
        />
        <NumberField
          api={api}
          path={["pipeline", "grounding", "maxHistoryMessages"]}
          label="Keep the last N caller messages"
          placeholder="all"
          step={1}
          className="sm:max-w-xs"
        />
      </Section>
      <Section title="Response cache">
        <div className="flex flex-wrap items-end gap-x-6 gap-y-3">
          <BoolField
            api={api}
            path={["pipeline", "cache", "enabled"]}
            label="Cache answers"
            // Without a cache section nothing is cached; with one, enabled defaults to true.
            fallback={getPath(api.draft, ["pipeline", "cache"]) !== undefined}
          />
          <BoolField
            api={api}
            path={["pipeline", "cache", "sampled"]}
            label="Cache sampled requests too"
            fallback={false}
          />
          <NumberField
            api={api}
            path={["pipeline", "cache", "ttlSeconds"]}
            label="TTL (seconds)"
            placeholder="project default"
            step={1}
            className="w-44"
          />
        </div>
      </Section>
      <Section title="Postprocess">
        <div className="flex flex-wrap items-end gap-x-6 gap-y-3">
          <BoolField
            api={api}
            path={["pipeline", "postprocess", "trimWhitespace"]}
            label="Trim the answer"
            fallback={false}
          />
          <NumberField
            api={api}
            path={["pipeline", "postprocess", "maxChars"]}
            label="Cut the answer at (characters)"
            placeholder="no limit"
            step={1}
            className="w-56"
          />
        </div>
      </Section>
    </>
  );
}
