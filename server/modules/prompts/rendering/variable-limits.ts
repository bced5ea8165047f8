import { DomainError } from "@/server/errors";
import type { RenderLimits } from "./limits";

type Bounds = RenderLimits["variables"];

/**
 * Refuses `variables` too big to render cheaply, before anything is copied to a worker: a walk that stops at
 * the first limit passed, so a 300,000-item list costs the main thread a few thousand steps, not a render.
 * Counted: every list item and object field at any depth (items), the nesting (depth), and the characters
 * of every string and key (chars). The issue names the first offending path; the totals are returned.
 */
export function checkVariableBounds(
  variables: Record<string, unknown>,
  bounds: Bounds,
  root = "variables",
): { items: number; chars: number } {
  let items = 0;
  let chars = 0;
  const refuse = (path: string, message: string): never => {
    throw new DomainError("VALIDATION", `${path}: ${message}`, [{ path, message }]);
  };
  const visit = (value: unknown, path: string, depth: number): void => {
    if (typeof value === "string") {
      chars += value.length;
      if (chars > bounds.maxChars)
        refuse(path, `variables hold more than ${bounds.maxChars.toLocaleString("en-US")} characters in all`);
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (depth > bounds.maxDepth) refuse(path, `variables are nested more than ${bounds.maxDepth} levels deep`);
    const list = Array.isArray(value);
    const keys = list ? null : Object.keys(value);
    items += list ? value.length : keys!.length;
    if (items > bounds.maxItems)
      refuse(path, `variables hold more than ${bounds.maxItems.toLocaleString("en-US")} list items and fields in all`);
    if (list) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}.${i}`, depth + 1);
      return;
    }
    for (const key of keys!) {
      chars += key.length;
      visit((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    }
  };
  visit(variables, root, 0);
  return { items, chars };
}
