import { describe, expect, it } from "vitest";
import { cn } from "./cn";

describe("cn", () => {
  // [component default, caller override, expected result]: the later class wins its property.
  const overrides: [string, string, string][] = [
    ["w-full", "w-64", "w-64"],
    ["size-8", "size-7", "size-7"],
    ["h-9", "h-auto", "h-auto"],
    ["min-w-0", "min-w-[12rem]", "min-w-[12rem]"],
    ["px-2", "px-4", "px-4"],
    ["p-2", "px-4", "p-2 px-4"],
    ["px-4", "p-2", "p-2"],
    ["mt-2", "mt-0", "mt-0"],
    ["gap-2", "gap-4", "gap-4"],
    ["text-sm", "text-lg", "text-lg"],
    ["text-red-500", "text-blue-500", "text-blue-500"],
    ["text-muted-foreground", "text-foreground", "text-foreground"],
    ["text-sm text-muted-foreground", "text-danger", "text-sm text-danger"],
    ["bg-card", "bg-muted", "bg-muted"],
    ["bg-primary", "bg-[#123456]", "bg-[#123456]"],
    ["border-border", "border-danger", "border-danger"],
    ["border border-border", "border-2", "border-border border-2"],
    ["rounded-md", "rounded-full", "rounded-full"],
    ["shadow-sm", "shadow-lg", "shadow-lg"],
    ["ring-1 ring-border", "ring-primary", "ring-1 ring-primary"],
    ["font-medium", "font-semibold", "font-semibold"],
    ["font-sans", "font-mono", "font-mono"],
    ["flex", "grid", "grid"],
    ["flex", "hidden", "hidden"],
    ["justify-between", "justify-end", "justify-end"],
    ["items-center", "items-start", "items-start"],
    ["leading-5", "leading-tight", "leading-tight"],
    ["truncate", "whitespace-normal", "truncate whitespace-normal"],
    ["opacity-50", "opacity-100", "opacity-100"],
    ["col-span-2", "col-span-full", "col-span-full"],
    ["grid-cols-2", "grid-cols-3", "grid-cols-3"],
  ];

  it.each(overrides)("%s overridden by %s gives %s", (base, override, expected) => {
    expect(cn(base, override)).toBe(expected);
  });

  it("keeps variants apart from the base property", () => {
    expect(cn("bg-card hover:bg-muted", "bg-subtle")).toBe("hover:bg-muted bg-subtle");
    expect(cn("hover:bg-muted", "hover:bg-subtle")).toBe("hover:bg-subtle");
    expect(cn("px-2 md:px-4", "px-3")).toBe("md:px-4 px-3");
    expect(cn("dark:text-white", "text-black")).toBe("dark:text-white text-black");
  });

  it("joins conditional classes like clsx and keeps unknown classes", () => {
    expect(cn("a", false, null, undefined, { b: true, c: false }, ["d"])).toBe("a b d");
    expect(cn("custom-thing w-full", "w-1/2")).toBe("custom-thing w-1/2");
  });
});
