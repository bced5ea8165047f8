"use client";

import type { FormEvent, ReactNode } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";

export interface FormDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  /** The submit button's text. */
  submitLabel: string;
  pending?: boolean;
  submitDisabled?: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  className?: string;
  /** Classes for the form (its layout: "flex flex-col gap-4", "grid grid-cols-2 gap-4"). */
  formClassName?: string;
  children: ReactNode;
}

/** A dialog holding one form, with Cancel and a submit button wired to it (Enter submits too). */
export function FormDialog({
  open,
  onOpenChange,
  title,
  description,
  submitLabel,
  pending,
  submitDisabled,
  onSubmit,
  className,
  formClassName = "flex flex-col gap-4",
  children,
}: FormDialogProps) {
  const formId = `form-${String(submitLabel)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={description}
      className={className}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" form={formId} loading={pending} disabled={submitDisabled}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        className={formClassName}
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit(event);
        }}
      >
        {children}
      </form>
    </Dialog>
  );
}
