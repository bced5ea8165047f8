import { INCLUDE_LABEL_PATTERN, INCLUDE_NAME_PATTERN } from "./schemas";

/** What `{% include "…" %}` points at: a prompt by name, and which of its versions. */
export interface IncludeRef {
  /** Canonical spelling: `name`, `name@label` or `name@3`; `name@latest` becomes `name`. */
  ref: string;
  name: string;
  /** A label such as `production`; absent for a version or latest. */
  label?: string;
  /** A version number; absent for a label or latest. */
  version?: number;
}

/** Parses `name`, `name@label` or `name@3`; returns a reason instead when the ref is malformed. */
export function parseIncludeRef(raw: string): IncludeRef | { error: string } {
  const at = raw.lastIndexOf("@");
  const name = at < 0 ? raw : raw.slice(0, at);
  const selector = at < 0 ? undefined : raw.slice(at + 1);
  if (!INCLUDE_NAME_PATTERN.test(name)) {
    return { error: `"${raw}" is not a prompt reference: use name, name@label or name@version` };
  }
  if (selector === undefined || selector === "latest") return { ref: name, name };
  if (/^[0-9]+$/.test(selector)) {
    const version = Number(selector);
    if (!Number.isSafeInteger(version) || version < 1) return { error: `"${raw}": versions start at 1` };
    return { ref: `${name}@${version}`, name, version };
  }
  if (!INCLUDE_LABEL_PATTERN.test(selector)) {
    return { error: `"${raw}": labels use lowercase letters, digits and '-'` };
  }
  return { ref: `${name}@${selector}`, name, label: selector };
}
