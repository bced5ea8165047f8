/**
 * Numbers on the experiment pages. A difference of two rates is in percentage points ("+2.30 pp"), never
 * "%": a move from 10 % to 12 % is +2 pp, or a +20 % relative change, and the page says which it shows.
 */
const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined;

const signed = (v: number, digits: number) => `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(digits)}`;

/** A variant's level: a rate in percent, a mean as a number. */
export const estimateText = (v: number | null | undefined, rate: boolean) =>
  missing(v) ? "—" : rate ? `${(v * 100).toFixed(2)}%` : v.toFixed(3);

/** treatment − control: percentage points for rates, the metric's own unit for means. */
export const differenceText = (v: number | null | undefined, rate: boolean) =>
  missing(v) ? "—" : rate ? `${signed(v * 100, 2)} pp` : signed(v, 3);

/** The difference over the control's level, labelled as relative where it is shown. */
export const relativeText = (v: number | null | undefined) => (missing(v) ? "—" : `${signed(v * 100, 1)}% rel.`);

export const pText = (v: number | null | undefined) =>
  missing(v) ? "p —" : v < 0.0001 ? "p < 0.0001" : `p = ${v.toFixed(4)}`;

/** A p-value in a column headed "p". */
export const pNumber = (v: number | null | undefined) => (missing(v) ? "—" : v < 0.0001 ? "< 0.0001" : v.toFixed(4));
