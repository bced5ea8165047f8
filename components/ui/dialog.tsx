"use client";

import { X } from "lucide-react";
import { type ReactNode, useEffect, useId, useRef } from "react";
import { Button } from "./button";
import { cn } from "./cn";

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Right-aligned action row (buttons). */
  footer?: ReactNode;
  /** Extra classes for the dialog panel (e.g. "max-w-2xl"). */
  className?: string;
  /** Hide the top-right close (X) button. */
  hideClose?: boolean;
}

/**
 * Modal dialog on the native <dialog> element (showModal): focus is trapped by the browser,
 * Escape / backdrop click / the X button call onOpenChange(false). Fully controlled; content is
 * only mounted while open. To choose the initially focused element, put `data-autofocus`
 * on it; otherwise the browser focuses the first focusable element.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  className,
  hideClose = false,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const openRef = useRef(open);
  const onOpenChangeRef = useRef(onOpenChange);
  const pointerDownOnBackdrop = useRef(false);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    openRef.current = open;
    onOpenChangeRef.current = onOpenChange;
  });

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      if (typeof el.showModal === "function") el.showModal();
      else el.setAttribute("open", ""); // jsdom / very old browsers
      // React's autoFocus fires before the dialog is visible; honour it (or data-autofocus) here.
      el.querySelector<HTMLElement>("[data-autofocus], [autofocus]")?.focus();
    } else if (!open && el.open) {
      if (typeof el.close === "function") el.close();
      else el.removeAttribute("open");
    }
  }, [open]);

  // Close if unmounted while open (keeps the page scroll lock from sticking).
  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el?.open && typeof el.close === "function") el.close();
    };
  }, []);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: backdrop click only; Escape is handled by the native cancel event
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      aria-modal="true"
      onCancel={(e) => {
        // Escape: let the parent decide (it may keep the dialog open while busy).
        e.preventDefault();
        onOpenChangeRef.current(false);
      }}
      onClose={() => {
        // Closed by the browser (e.g. a second Escape, or <form method="dialog">).
        // Ignore stale close events (e.g. StrictMode's effect re-run closes and reopens the dialog).
        if (openRef.current && !ref.current?.open) onOpenChangeRef.current(false);
      }}
      onPointerDown={(e) => {
        pointerDownOnBackdrop.current = e.target === e.currentTarget;
      }}
      onClick={(e) => {
        if (pointerDownOnBackdrop.current && e.target === e.currentTarget) {
          onOpenChangeRef.current(false);
        }
        pointerDownOnBackdrop.current = false;
      }}
      className={cn(
        "fixed inset-0 m-auto h-fit max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-lg overflow-visible bg-transparent p-0 text-card-foreground",
        "backdrop:bg-black/50 backdrop:backdrop-blur-[1px] open:motion-safe:animate-dialog-in open:backdrop:motion-safe:animate-fade-in",
        className,
      )}
    >
      {open ? (
        <div className="flex max-h-[calc(100dvh-2rem)] flex-col rounded-lg border border-border bg-popover text-popover-foreground shadow-xl">
          <div className={cn("flex items-start justify-between gap-4 px-5 pt-5", children != null ? "pb-3" : "pb-5")}>
            <div className="flex min-w-0 flex-col gap-1">
              <h2 id={titleId} className="text-base leading-6 font-semibold tracking-tight">
                {title}
              </h2>
              {description ? (
                <p id={descriptionId} className="text-sm text-muted-foreground">
                  {description}
                </p>
              ) : null}
            </div>
            {hideClose ? null : (
              <Button
                variant="ghost"
                size="icon"
                aria-label="Close"
                className="-mt-1 -mr-2 size-7 text-muted-foreground hover:text-foreground"
                onClick={() => onOpenChangeRef.current(false)}
              >
                <X aria-hidden="true" />
              </Button>
            )}
          </div>
          {children != null ? <div className="min-h-0 overflow-y-auto px-5 pb-5">{children}</div> : null}
          {footer ? (
            <div className="flex flex-wrap items-center justify-end gap-2 rounded-b-lg border-t border-border bg-subtle/60 px-5 py-3">
              {footer}
            </div>
          ) : null}
        </div>
      ) : null}
    </dialog>
  );
}
