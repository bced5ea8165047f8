"use client";

import { type ReactNode, useState } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  tone?: "danger" | "primary";
  /**
   * Called on confirm. If it returns a Promise, the dialog shows a spinner, closes when it resolves,
   * and stays open if it rejects (show the error yourself, e.g. toast.error). If it returns nothing,
   * the dialog does not close itself: set open=false yourself (and drive `loading`).
   */
  onConfirm: () => void | Promise<void>;
  loading?: boolean;
  /** Optional extra content (e.g. a "type the name to confirm" input). */
  children?: ReactNode;
  /** Disable the confirm button (e.g. until a confirmation input matches). */
  confirmDisabled?: boolean;
}

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  cancelLabel = "Cancel",
  tone = "danger",
  onConfirm,
  loading = false,
  children,
  confirmDisabled = false,
}: ConfirmDialogProps) {
  const [pending, setPending] = useState(false);
  const busy = loading || pending;

  const handleConfirm = async () => {
    const result = onConfirm();
    if (!result || typeof (result as Promise<void>).then !== "function") return;
    setPending(true);
    try {
      await result;
      onOpenChange(false);
    } catch {
      // Stay open; the caller reports the error.
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!busy) onOpenChange(next);
      }}
      title={title}
      description={description}
      hideClose={busy}
      footer={
        <>
          <Button
            variant="secondary"
            disabled={busy}
            onClick={() => onOpenChange(false)}
            data-autofocus={tone === "danger" ? "" : undefined}
          >
            {cancelLabel}
          </Button>
          <Button
            variant={tone === "danger" ? "danger" : "primary"}
            loading={busy}
            disabled={confirmDisabled}
            onClick={handleConfirm}
            data-autofocus={tone === "danger" ? undefined : ""}
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
