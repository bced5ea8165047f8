"use client";

import { useMemo, useRef, useState } from "react";
import type { ZodType } from "zod";
import { fieldError } from "@/components/providers/errors";
import "@/lib/validation-messages";

/**
 * Validates a form's draft with the same zod schema the server uses, as the user types, so a mistake is named
 * next to its field before anything is sent. A field shows its message once its value differs from the one the
 * form opened with, or after `showAll()` (call it when the user tries to submit): an untouched empty form is
 * not a wall of "Required". Paths are dotted like the server's (`configs.0.params.temperature`); a field is
 * judged touched by the first segment of its path.
 */
export function useLiveValidation(schema: ZodType, draft: unknown) {
  const initial = useRef(JSON.stringify(draft ?? null));
  const [all, setAll] = useState(false);
  const issues = useMemo(() => {
    const result = schema.safeParse(draft);
    return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  }, [schema, draft]);
  const touched = (path: string) => {
    if (all) return true;
    const head = path.split(".")[0];
    const before = JSON.parse(initial.current) as Record<string, unknown> | null;
    const now = (draft ?? null) as Record<string, unknown> | null;
    return JSON.stringify(before?.[head] ?? null) !== JSON.stringify(now?.[head] ?? null);
  };
  const shown = { data: { issues: issues.filter((i) => touched(i.path)) } };
  return {
    /** True when the draft passes the schema. */
    valid: issues.length === 0,
    /** The message for this field (or anything under it), once touched. */
    error: (field: string) => fieldError(shown, field),
    /** Show every field's message, e.g. when the user presses Save on an invalid form. */
    showAll: () => setAll(true),
  };
}
