"use client";

import { useTheme } from "next-themes";
import type { CSSProperties } from "react";
import { Toaster as Sonner, type ToasterProps } from "sonner";
import { useMounted } from "./use-mounted";

/** sonner Toaster, following the next-themes theme and the design tokens. Render once in the root layout. */
export function Toaster(props: ToasterProps) {
  const { theme } = useTheme();
  const mounted = useMounted();
  const resolved: ToasterProps["theme"] = mounted && (theme === "light" || theme === "dark") ? theme : "system";

  return (
    <Sonner
      theme={resolved}
      position="bottom-right"
      closeButton
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
          "--success-bg": "var(--popover)",
          "--success-text": "var(--success)",
          "--success-border": "var(--border)",
          "--error-bg": "var(--popover)",
          "--error-text": "var(--danger)",
          "--error-border": "var(--border)",
          "--border-radius": "0.5rem",
        } as CSSProperties
      }
      toastOptions={{
        classNames: {
          toast: "font-sans! text-sm! shadow-lg!",
          description: "text-muted-foreground!",
        },
      }}
      {...props}
    />
  );
}
