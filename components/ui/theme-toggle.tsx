"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { Button } from "./button";
import { cn } from "./cn";
import { useMounted } from "./use-mounted";

const order = ["light", "dark", "system"] as const;
type ThemeName = (typeof order)[number];

const meta: Record<ThemeName, { icon: typeof Sun; label: string }> = {
  light: { icon: Sun, label: "Light" },
  dark: { icon: Moon, label: "Dark" },
  system: { icon: Monitor, label: "System" },
};

export interface ThemeToggleProps {
  className?: string;
}

/** Cycles light → dark → system. */
export function ThemeToggle({ className }: ThemeToggleProps) {
  const { theme, setTheme } = useTheme();
  const mounted = useMounted();

  const current: ThemeName = mounted && order.includes(theme as ThemeName) ? (theme as ThemeName) : "system";
  const next: ThemeName = order[(order.indexOf(current) + 1) % order.length] ?? "light";
  const Icon = meta[current].icon;
  const label = mounted ? `Theme: ${meta[current].label}. Switch to ${meta[next].label.toLowerCase()}` : "Toggle theme";

  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={label}
      title={label}
      className={cn("text-muted-foreground hover:text-foreground", className)}
      onClick={() => setTheme(next)}
    >
      {mounted ? <Icon aria-hidden="true" /> : <span aria-hidden="true" className="size-4" />}
    </Button>
  );
}
