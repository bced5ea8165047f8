// Finding personal data and secrets in text; masking is in pii.ts.
import { isIPv4, isIPv6 } from "node:net";

/** What the PII detector finds, in priority order (an overlap goes to the earlier kind). */
export const PII_KINDS = ["SECRET", "EMAIL", "IBAN", "CARD", "SSN", "NATIONAL_ID", "IP", "PHONE"] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** One finding in a text: `[start, end)` in UTF-16 units; `key` is the normalised value (same key → same placeholder). */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
  key: string;
}

type Detector = (text: string, out: PiiSpan[]) => void;

// ------------------------------------------------------------------ secrets

/** Known key formats; the whole match is the secret. */
const SECRET_TOKENS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(?<![\w-])sk-[A-Za-z0-9_-]{20,}/g, // OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…)
  /(?<![\w-])sy_[A-Za-z0-9_-]{20,}/g, // Switchyard API keys
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, // AWS access key ids
  /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g, // GitHub
  /(?<![\w-])xox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /(?<![\w-])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe secret and restricted keys
  /(?<![\w-])AIza[0-9A-Za-z_-]{35}/g, // Google API keys
  /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
];

/**
 * Secrets recognised by what precedes them; only capture group 1 is masked.
 * After `password:`-like keys the value needs 6+ characters and, below 12,
 * something other than lower-case letters (`password: hunter2` is masked,
 * `password: required` is prose).
 */
const SECRET_VALUES: RegExp[] = [
  /\bBearer\s+([A-Za-z0-9\-._~+/]{16,}=*)/gi,
  /\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|password|passwd|pwd|access[_-]?token|auth[_-]?token|private[_-]?key)\b["']?\s*[:=]\s*["']?([^\s"',;]{6,})/gi,
];

const HIGH_ENTROPY_CANDIDATE = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/=_-])/g;

/**
 * A long token that looks random: 32+ characters of the base64/base64url
 * alphabet with at least 2 upper-case and 2 lower-case letters and a digit
 * or symbol; Shannon entropy ≥ 4 bits per character; the character class
 * (upper, lower, digit, symbol) changing between neighbours at least 30 % of
 * the time (random base62 ≈ 60 %); and under half of its characters in runs
 * of 3+ lower-case letters (random ≈ 15 %, CamelCase identifiers ≈ 60 %).
 * Hex digests (no upper case), UUIDs (dashes cut them into short pieces),
 * words, identifiers and paths are left alone.
 */
export function looksRandom(token: string): boolean {
  let upper = 0;
  let lower = 0;
  let other = 0;
  let changes = 0;
  let previous = -1;
  let lowerRun = 0;
  let inWords = 0;
  const freq = new Map<number, number>();
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const cls = c >= 65 && c <= 90 ? 0 : c >= 97 && c <= 122 ? 1 : 2;
    if (cls === 0) upper++;
    else if (cls === 1) lower++;
    else other++;
    if (cls === 1) {
      lowerRun++;
      if (lowerRun === 3) inWords += 3;
      else if (lowerRun > 3) inWords++;
    } else lowerRun = 0;
    if (previous !== -1 && cls !== previous) changes++;
    previous = cls;
    freq.set(c, (freq.get(c) ?? 0) + 1);
  }
  if (upper < 2 || lower < 2 || other < 1) return false;
  if (changes / (token.length - 1) < 0.3 || inWords / token.length >= 0.5) return false;
  let entropy = 0;
  for (const n of freq.values()) {
    const p = n / token.length;
    entropy -= p * Math.log2(p);
  }
  return entropy >= 4;
}

const detectSecrets: Detector = (text, out) => {
  for (const pattern of SECRET_TOKENS) {
    for (const m of text.matchAll(pattern)) push(out, "SECRET", m.index, m.index + m[0].length, m[0]);
  }
  for (const pattern of SECRET_VALUES) {
    for (const m of text.matchAll(pattern)) {
      const value = m[1];
      if (value.length < 12 && /^[a-z]+$/.test(value)) continue;
      const start = m.index + m[0].length - value.length;
      push(out, "SECRET", start, start + value.length, value);
    }
  }
  for (const m of text.matchAll(HIGH_ENTROPY_CANDIDATE)) {
    if (looksRandom(m[0])) push(out, "SECRET", m.index, m.index + m[0].length, m[0]);
  }
};

// ------------------------------------------------------------------ e-mail

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

const detectEmails: Detector = (text, out) => {
  if (!text.includes("@")) return;
  for (const m of text.matchAll(EMAIL)) push(out, "EMAIL", m.index, m.index + m[0].length, m[0].toLowerCase());
};

// ------------------------------------------------------------------ IBAN

const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g;

/** ISO 13616: 15–34 characters, (rearranged, letters as 10–35) mod 97 = 1. */
export function isValidIban(iban: string): boolean {
  const compact = iban.replace(/ /g, "");
  if (compact.length < 15 || compact.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

const detectIbans: Detector = (text, out) => {
  for (const m of text.matchAll(IBAN_CANDIDATE)) {
    // The candidate may have swallowed a following word of 4 capitals: drop groups from the end.
    let candidate = m[0];
    while (candidate.length >= 15) {
      if (isValidIban(candidate)) {
        push(out, "IBAN", m.index, m.index + candidate.length, candidate.replace(/ /g, ""));
        break;
      }
      const cut = candidate.lastIndexOf(" ");
      if (cut < 0) break;
      candidate = candidate.slice(0, cut);
    }
  }
};

// ------------------------------------------------------------------ payment cards

/** Digit groups separated by single spaces or dashes. */
const DIGIT_GROUPS = /(?<![\w.,+-])\d+(?:[ -]\d+)*(?![\w]|[.,]\d)/g;

/** Luhn (mod 10) checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A card number: 13–19 digits, written contiguously or in groups of four
 * (Amex 4-6-5, Diners 4-6-4), starting with 2–6 (Mastercard, Amex/Diners/JCB,
 * Visa, Mastercard, Discover/UnionPay), passing Luhn.
 */
function isCardShape(groups: string[]): boolean {
  const digits = groups.join("");
  if (digits.length < 13 || digits.length > 19) return false;
  if (digits[0] < "2" || digits[0] > "6") return false;
  if (groups.length > 1) {
    const sizes = groups.map((g) => g.length).join("-");
    const fours = groups.slice(0, -1).every((g) => g.length === 4) && groups[groups.length - 1].length <= 4;
    if (!fours && sizes !== "4-6-5" && sizes !== "4-6-4") return false;
  }
  return luhnValid(digits);
}

const detectCards: Detector = (text, out) => {
  for (const m of text.matchAll(DIGIT_GROUPS)) {
    const raw = m[0];
    if (raw.length < 13) continue;
    // Find the longest run of whole groups that is a card (a card may sit in a longer sequence).
    const groups: { text: string; start: number }[] = [];
    for (const g of raw.matchAll(/\d+/g)) groups.push({ text: g[0], start: g.index });
    let found = false;
    for (let size = groups.length; size >= 1 && !found; size--) {
      for (let from = 0; from + size <= groups.length; from++) {
        const run = groups.slice(from, from + size);
        if (!isCardShape(run.map((g) => g.text))) continue;
        const last = run[run.length - 1];
        const start = m.index + run[0].start;
        push(out, "CARD", start, m.index + last.start + last.text.length, run.map((g) => g.text).join(""));
        found = true;
        break;
      }
    }
  }
};

// ------------------------------------------------------------------ national ids

const US_SSN = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g;
/** UK National Insurance number (HMRC's prefix rules). */
const UK_NINO =
  /(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
/** A value right after an identity-document phrase: group 1. */
const ID_AFTER_PHRASE =
  /\b(?:passport|national\s+id(?:entity)?(?:\s+card)?|identity\s+card|id\s+card|id\s+number|social\s+security|tax\s+id(?:entification)?|driver'?s?\s+licen[cs]e)(?:\s+(?:no\.?|number|#))?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{0,22}(?:\s\d{2,6}){0,3})(?![\w-])/gi;
/** A value right after a national-id acronym (case-sensitive: `sin(x)` is not an id): group 1. */
const ID_AFTER_ACRONYM =
  /\b(?:SSN|SIN|NINO?|TIN|DNI|NIE|NIF|BSN|PESEL|CPF|AHV|NRIC|HKID|Aadhaar)(?:\s+(?:no\.?|number|#))?\s*[:#]?\s*([A-Z0-9][A-Z0-9./-]{0,22}(?:\s\d{2,6}){0,3})(?![\w-])/g;

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) n++;
  return n;
}

const detectSsns: Detector = (text, out) => {
  for (const m of text.matchAll(US_SSN)) push(out, "SSN", m.index, m.index + m[0].length, m[0].replace(/-/g, ""));
};

const detectNationalIds: Detector = (text, out) => {
  for (const m of text.matchAll(UK_NINO)) {
    push(out, "NATIONAL_ID", m.index, m.index + m[0].length, m[0].replace(/ /g, ""));
  }
  for (const pattern of [ID_AFTER_PHRASE, ID_AFTER_ACRONYM]) {
    for (const m of text.matchAll(pattern)) {
      const value = m[1];
      if (digitCount(value) < 4 || value.length < 5) continue;
      const start = m.index + m[0].length - value.length;
      push(out, "NATIONAL_ID", start, start + value.length, value.replace(/[\s./-]/g, "").toUpperCase());
    }
  }
};

// ------------------------------------------------------------------ IP addresses

const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%[\w.]+)?(?![\w:]|\.\d)/g;
/** "version 1.2.3.4", "ver. 1.2.3.4": a dotted quad after these words is a version, not an address. */
const VERSION_BEFORE = /(?:\bver(?:sion)?\.?|\brelease|\bbuild)\s*$/i;

const detectIps: Detector = (text, out) => {
  // IPv6 first, so an IPv4-mapped address (::ffff:192.0.2.1) is one finding.
  if (text.includes(":")) {
    for (const m of text.matchAll(IPV6)) {
      const address = m[0].replace(/%.*$/, "");
      // A digit is required: `a::b` or `dead::beef` in prose or code are not addresses worth masking.
      if (!/\d/.test(address) || !isIPv6(address)) continue;
      push(out, "IP", m.index, m.index + m[0].length, address.toLowerCase());
    }
  }
  if (text.includes(".")) {
    for (const m of text.matchAll(IPV4)) {
      if (!isIPv4(m[0])) continue;
      if (VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
      push(out, "IP", m.index, m.index + m[0].length, m[0]);
    }
  }
};

// ------------------------------------------------------------------ phone numbers

/** `+` and a country code, then groups: 8–15 digits in all (E.164). */
const PHONE_INTERNATIONAL = /(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w])/g;
/** North American 3-3-4 with separators: (555) 123-4567, 555-123-4567, 555.123.4567, 1 555 123 4567. */
const PHONE_NANP = /(?<![\w.+-])(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w]|[.-]\d)/g;
/** National numbers with a trunk 0 (not 00, the international prefix) and separators: 020 7946 0958, 07700 900123, 01 23 45 67 89, (030) 1234567. */
const PHONE_TRUNK = /(?<![\w.+-])(?:\(0[1-9]\d{0,3}\)|0[1-9]\d{0,3})(?:[ .-]?\d{2,8}){1,4}(?![\w]|[.-]\d)/g;
const DATE_PREFIX = /^(?:\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?!\d)/;

const detectPhones: Detector = (text, out) => {
  for (const m of text.matchAll(PHONE_INTERNATIONAL)) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length < 8 || digits.length > 15) continue;
    push(out, "PHONE", m.index, m.index + m[0].length, `+${digits}`);
  }
  for (const m of text.matchAll(PHONE_NANP)) {
    const digits = m[0].replace(/\D/g, "");
    push(out, "PHONE", m.index, m.index + m[0].length, digits.length === 11 ? digits.slice(1) : digits);
  }
  for (const m of text.matchAll(PHONE_TRUNK)) {
    const candidate = m[0];
    const digits = candidate.replace(/\D/g, "");
    // Plain numbers (no separator) and dates (01.02.2024 …) are not phone numbers.
    if (digits.length < 9 || digits.length > 12 || !/[ .()-]/.test(candidate) || DATE_PREFIX.test(candidate)) {
      continue;
    }
    push(out, "PHONE", m.index, m.index + candidate.length, digits);
  }
};

// ------------------------------------------------------------------ finding and masking

const DETECTORS: Record<PiiKind, Detector> = {
  SECRET: detectSecrets,
  EMAIL: detectEmails,
  IBAN: detectIbans,
  CARD: detectCards,
  SSN: detectSsns,
  NATIONAL_ID: detectNationalIds,
  IP: detectIps,
  PHONE: detectPhones,
};

function push(out: PiiSpan[], kind: PiiKind, start: number, end: number, key: string): void {
  out.push({ kind, start, end, key });
}

/**
 * Finds PII in a text: non-overlapping spans in text order. Detectors run in
 * {@link PII_KINDS} order and a span overlapping an earlier-accepted one is
 * dropped.
 */
export function findPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): PiiSpan[] {
  const accepted: PiiSpan[] = [];
  const wanted = new Set(kinds);
  for (const kind of PII_KINDS) {
    if (!wanted.has(kind)) continue;
    const found: PiiSpan[] = [];
    DETECTORS[kind](text, found);
    for (const span of found) {
      if (!accepted.some((a) => span.start < a.end && a.start < span.end)) accepted.push(span);
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}
