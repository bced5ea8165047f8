// The conversation a gateway request belongs to: the `x-switchyard-session` header, kept in the log row so the
// console can show a session's requests as one transcript. Cheap on purpose: one header read, one regex.
import { DomainError } from "@/server/errors";
import type { GatewayHttpRequest } from "./http-request";

const SESSION_HEADER = "x-switchyard-session";
const SESSION_MAX_LENGTH = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The trimmed session id, null without the header (or with an empty one); a 400 naming the header when invalid. */
export function sessionOf(req: GatewayHttpRequest): string | null {
  const raw = req.headers.get(SESSION_HEADER);
  if (raw === null) return null;
  const value = raw.trim();
  if (value === "") return null;
  if (value.length > SESSION_MAX_LENGTH)
    throw new DomainError("VALIDATION", `${SESSION_HEADER} must be at most ${SESSION_MAX_LENGTH} characters`, [
      { path: SESSION_HEADER, message: `At most ${SESSION_MAX_LENGTH} characters` },
    ]);
  if (CONTROL.test(value))
    throw new DomainError("VALIDATION", `${SESSION_HEADER} must not contain control characters`, [
      { path: SESSION_HEADER, message: "No control characters" },
    ]);
  return value;
}
