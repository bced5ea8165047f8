/** `name:3` is another spelling of `name@3` (names cannot contain ':' or '@'). */
export function normalizeModelRef(ref: string): string {
  const colon = /^([^@:]+):(\d+)$/.exec(ref);
  return colon ? `${colon[1]}@${colon[2]}` : ref;
}

/** `name@latest`: the newest version, whatever the aliases say. Reserved: no alias may be named so. */
export const LATEST = "latest";
