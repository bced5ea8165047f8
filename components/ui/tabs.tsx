"use client";

import Link from "next/link";
import { type KeyboardEvent, type ReactNode, useRef } from "react";
import { cn } from "./cn";

interface TabItem {
  value: string;
  label: ReactNode;
  /** When given, the tab is a next/link (route-based tabs). */
  href?: string;
}

export interface TabsProps {
  tabs: TabItem[];
  value: string;
  onValueChange?: (value: string) => void;
  /** Accessible name for the tab list. */
  "aria-label"?: string;
  className?: string;
}

const tabClass =
  "relative -mb-px inline-flex h-9 items-center gap-1.5 border-b-2 px-1 text-sm font-medium whitespace-nowrap transition-colors " +
  "rounded-t-sm outline-offset-[-2px] focus-visible:outline-2 focus-visible:outline-ring [&_svg]:size-4";
const activeClass = "border-primary text-foreground";
const inactiveClass = "border-transparent text-muted-foreground hover:border-border-strong hover:text-foreground";

/**
 * Underline tabs. Route tabs (every tab has href) render a <nav> of links with aria-current="page";
 * otherwise a WAI-ARIA tablist of buttons (arrow keys / Home / End move between tabs).
 * Tabs only renders the strip; render the panel content yourself based on `value`.
 */
export function Tabs({ tabs, value, onValueChange, className, ...rest }: TabsProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const isNav = tabs.length > 0 && tabs.every((t) => t.href);
  const wrapper = cn("flex items-center gap-5 overflow-x-auto border-b border-border", className);

  if (isNav) {
    return (
      <nav aria-label={rest["aria-label"] ?? "Tabs"} className={wrapper}>
        {tabs.map((tab) => {
          const active = tab.value === value;
          return (
            <Link
              key={tab.value}
              href={tab.href as string}
              aria-current={active ? "page" : undefined}
              onClick={() => onValueChange?.(tab.value)}
              className={cn(tabClass, active ? activeClass : inactiveClass)}
            >
              {tab.label}
            </Link>
          );
        })}
      </nav>
    );
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const idx = tabs.findIndex((t) => t.value === value);
    let next = -1;
    if (e.key === "ArrowRight") next = (idx + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (idx - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    const target = tabs[next];
    if (!target) return;
    e.preventDefault();
    onValueChange?.(target.value);
    listRef.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };

  return (
    <div
      ref={listRef}
      role="tablist"
      aria-label={rest["aria-label"]}
      aria-orientation="horizontal"
      onKeyDown={onKeyDown}
      className={wrapper}
    >
      {tabs.map((tab) => {
        const active = tab.value === value;
        return (
          <button
            key={tab.value}
            type="button"
            role="tab"
            aria-selected={active}
            tabIndex={active ? 0 : -1}
            onClick={() => onValueChange?.(tab.value)}
            className={cn(tabClass, active ? activeClass : inactiveClass)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}
