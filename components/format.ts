const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function formatDateTime(value: Date | string | null | undefined): string {
  return value ? dateTime.format(new Date(value)) : "—";
}

const dateTimeSeconds = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium" });

/** Like formatDateTime, to the second: where a person lines events up while debugging (audit log, requests). */
export function formatDateTimeSeconds(value: Date | string | null | undefined): string {
  return value ? dateTimeSeconds.format(new Date(value)) : "—";
}

/** "3 minutes ago", "in 2 days"; "never" for null. */
export function formatRelative(value: Date | string | null | undefined, now = Date.now()): string {
  if (!value) return "never";
  const seconds = (new Date(value).getTime() - now) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31_536_000],
    ["month", 2_592_000],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return "just now";
}

const dollars = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const cents = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumSignificantDigits: 3,
});

/**
 * Every amount of money the console shows goes through here: US dollars with the sign, plain decimals (never
 * an exponent), whole cents from $1 up and three significant digits below ($0.00000129, $0.0315), so a
 * per-request cost and a monthly total read the same way on every page.
 */
export function formatMoney(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "—";
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) >= 1) return dollars.format(usd);
  const text = cents.format(usd);
  // "$0.5" reads as a typo: at least two decimals, as cents.
  return /\.\d$/.test(text) ? `${text}0` : /\.\d/.test(text) ? text : `${text}.00`;
}
