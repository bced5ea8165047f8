import { type ClassValue, clsx } from "clsx";

/*
 * cn(): clsx + a small, conservative Tailwind conflict resolver, so that a `className` passed to a
 * component overrides the component's default for the same property (`<Input className="w-64" />`
 * beats the default `w-full`, `<Button className="size-7" />` beats `size-8`). Without it the winner
 * is decided by Tailwind's stylesheet order, not by the order of the classes.
 *
 * Only well-known groups are resolved (sizing, spacing, gap, display, position, flex alignment, font
 * weight/family, text size/colour/alignment, background/border colour, radius, shadow size, overflow,
 * opacity, z-index, leading, tracking, cursor, whitespace). Anything else is kept as is. Later classes
 * win; variants (`hover:`, `md:`, `dark:` ...) and `!important` are part of the key.
 * If tailwind-merge is ever added to the project, `twMerge(clsx(...))` is a drop-in replacement.
 */

type Group = { id: string; overrides?: readonly string[] };

const PREFIX_GROUPS: readonly (readonly [string, (readonly string[])?])[] = [
  ["min-w"],
  ["min-h"],
  ["max-w"],
  ["max-h"],
  ["size", ["w", "h"]],
  ["w"],
  ["h"],
  ["px", ["pl", "pr", "ps", "pe"]],
  ["py", ["pt", "pb"]],
  ["pt"],
  ["pr"],
  ["pb"],
  ["pl"],
  ["ps"],
  ["pe"],
  ["p", ["px", "py", "pt", "pr", "pb", "pl", "ps", "pe"]],
  ["mx", ["ml", "mr", "ms", "me"]],
  ["my", ["mt", "mb"]],
  ["mt"],
  ["mr"],
  ["mb"],
  ["ml"],
  ["ms"],
  ["me"],
  ["m", ["mx", "my", "mt", "mr", "mb", "ml", "ms", "me"]],
  ["gap-x"],
  ["gap-y"],
  ["gap", ["gap-x", "gap-y"]],
  ["overflow-x"],
  ["overflow-y"],
  ["overflow", ["overflow-x", "overflow-y"]],
  ["opacity"],
  ["z"],
  ["leading"],
  ["tracking"],
  ["cursor"],
  ["whitespace"],
];

const KEYWORD_GROUPS: Record<string, readonly string[]> = {
  display: [
    "block",
    "inline-block",
    "inline",
    "flex",
    "inline-flex",
    "grid",
    "inline-grid",
    "hidden",
    "contents",
    "table",
    "flow-root",
    "list-item",
  ],
  position: ["static", "fixed", "absolute", "relative", "sticky"],
  "flex-direction": ["flex-row", "flex-col", "flex-row-reverse", "flex-col-reverse"],
  "flex-wrap": ["flex-wrap", "flex-nowrap", "flex-wrap-reverse"],
  "align-items": ["items-start", "items-end", "items-center", "items-baseline", "items-stretch"],
  "justify-content": [
    "justify-start",
    "justify-end",
    "justify-center",
    "justify-between",
    "justify-around",
    "justify-evenly",
    "justify-stretch",
    "justify-normal",
  ],
  "font-weight": [
    "font-thin",
    "font-extralight",
    "font-light",
    "font-normal",
    "font-medium",
    "font-semibold",
    "font-bold",
    "font-extrabold",
    "font-black",
  ],
  "font-family": ["font-sans", "font-serif", "font-mono"],
  "text-align": ["text-left", "text-center", "text-right", "text-justify", "text-start", "text-end"],
  shadow: [
    "shadow",
    "shadow-2xs",
    "shadow-xs",
    "shadow-sm",
    "shadow-md",
    "shadow-lg",
    "shadow-xl",
    "shadow-2xl",
    "shadow-none",
  ],
  rounded: [
    "rounded",
    "rounded-none",
    "rounded-xs",
    "rounded-sm",
    "rounded-md",
    "rounded-lg",
    "rounded-xl",
    "rounded-2xl",
    "rounded-3xl",
    "rounded-4xl",
    "rounded-full",
  ],
};

const KEYWORD_INDEX = new Map<string, string>();
for (const [group, words] of Object.entries(KEYWORD_GROUPS)) {
  for (const w of words) KEYWORD_INDEX.set(w, group);
}

const TEXT_SIZES = new Set(["xs", "sm", "base", "lg", "xl", "2xl", "3xl", "4xl", "5xl", "6xl", "7xl", "8xl", "9xl"]);
const TEXT_NOT_COLOR = new Set([...TEXT_SIZES, "wrap", "nowrap", "balance", "pretty", "ellipsis", "clip"]);
const BG_NOT_COLOR = new Set([
  "none",
  "fixed",
  "local",
  "scroll",
  "auto",
  "cover",
  "contain",
  "center",
  "top",
  "bottom",
  "left",
  "right",
  "left-top",
  "left-bottom",
  "right-top",
  "right-bottom",
  "repeat",
  "no-repeat",
  "repeat-x",
  "repeat-y",
  "repeat-round",
  "repeat-space",
]);
const BG_NOT_COLOR_PREFIX = /^(blend|clip|origin|linear|radial|conic|gradient|size|position)-/;
const BORDER_NOT_COLOR = new Set([
  "x",
  "y",
  "t",
  "r",
  "b",
  "l",
  "s",
  "e",
  "solid",
  "dashed",
  "dotted",
  "double",
  "hidden",
  "none",
  "collapse",
  "separate",
]);
const BORDER_SIDE_PREFIX = /^(x|y|t|r|b|l|s|e|spacing)-/;
const NAMED_COLOR = /^[a-z]+(?:-[a-z]+)*(?:-\d{2,3})?$/;

function isColorValue(value: string): boolean {
  const v = value.split("/")[0] ?? "";
  return NAMED_COLOR.test(v) || v.startsWith("[#") || v.startsWith("[color:") || v.startsWith("(color:");
}

function groupOf(utility: string): Group | null {
  const keyword = KEYWORD_INDEX.get(utility);
  if (keyword) return { id: keyword };
  if (utility.startsWith("rounded-[")) return { id: "rounded" };

  for (const [prefix, overrides] of PREFIX_GROUPS) {
    if (utility.startsWith(`${prefix}-`)) return { id: prefix, overrides };
  }

  if (utility.startsWith("text-")) {
    const v = utility.slice(5);
    if (TEXT_SIZES.has(v.split("/")[0] ?? "") || /^\[\d/.test(v) || v.startsWith("[length:"))
      return { id: "text-size" };
    if (!TEXT_NOT_COLOR.has(v) && isColorValue(v)) return { id: "text-color" };
    return null;
  }
  if (utility.startsWith("bg-")) {
    const v = utility.slice(3);
    if (!BG_NOT_COLOR.has(v) && !BG_NOT_COLOR_PREFIX.test(v) && isColorValue(v)) return { id: "bg-color" };
    return null;
  }
  if (utility.startsWith("border-")) {
    const v = utility.slice(7);
    if (!BORDER_NOT_COLOR.has(v) && !BORDER_SIDE_PREFIX.test(v) && isColorValue(v)) return { id: "border-color" };
    return null;
  }
  return null;
}

/** Split "md:hover:!px-2" into ["md", "hover"] and "!px-2", ignoring ':' inside [] and (). */
function splitVariants(cls: string): [string[], string] {
  const variants: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < cls.length; i++) {
    const ch = cls[i];
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth--;
    else if (ch === ":" && depth === 0) {
      variants.push(cls.slice(start, i));
      start = i + 1;
    }
  }
  return [variants, cls.slice(start)];
}

const cache = new Map<string, string>();

function merge(classList: string): string {
  const hit = cache.get(classList);
  if (hit !== undefined) return hit;
  const result = mergeUncached(classList);
  if (cache.size > 1000) cache.clear();
  cache.set(classList, result);
  return result;
}

function mergeUncached(classList: string): string {
  const classes = classList.split(/\s+/).filter(Boolean);
  const taken = new Set<string>();
  const kept: string[] = [];
  for (let i = classes.length - 1; i >= 0; i--) {
    const cls = classes[i] as string;
    const [variants, raw] = splitVariants(cls);
    let utility = raw;
    let important = "";
    if (utility.startsWith("!")) {
      utility = utility.slice(1);
      important = "!";
    } else if (utility.endsWith("!")) {
      utility = utility.slice(0, -1);
      important = "!";
    }
    if (utility.startsWith("-")) utility = utility.slice(1);
    const group = groupOf(utility);
    if (!group) {
      if (!kept.includes(cls)) kept.push(cls);
      continue;
    }
    const scope = `${[...variants].sort().join(":")}|${important}|`;
    const key = scope + group.id;
    if (taken.has(key)) continue;
    taken.add(key);
    for (const o of group.overrides ?? []) taken.add(scope + o);
    kept.push(cls);
  }
  return kept.reverse().join(" ");
}

/** Join class names conditionally (clsx); later Tailwind classes override earlier ones of the same kind. */
export function cn(...classes: ClassValue[]): string {
  return merge(clsx(...classes));
}

export type { ClassValue };
