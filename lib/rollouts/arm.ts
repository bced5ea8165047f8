/**
 * Which arm of a rollout a unit (a user, a session, else one request) gets: a hash of the rollout's salt and the
 * unit puts it in one of 10,000 buckets, and buckets below the candidate's share go to the candidate. Raising the
 * share only moves stable units to the candidate (never back), so a user who saw the candidate keeps it.
 * FNV-1a 32-bit, hashed twice as GrowthBook's v2 does (experiments use the same scheme), so sequential ids spread.
 */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The unit's bucket in [0, 1). */
export function rolloutBucket(salt: string, unit: string): number {
  return (fnv1a32(String(fnv1a32(`${salt}${unit}`))) % 10_000) / 10_000;
}

/** True when the unit is served the candidate at `candidatePercent` (0..100). */
export function takesCandidate(salt: string, unit: string, candidatePercent: number): boolean {
  if (candidatePercent <= 0) return false;
  if (candidatePercent >= 100) return true;
  return rolloutBucket(salt, unit) * 100 < candidatePercent;
}
