import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";
import { cn } from "./cn";
import { Label } from "./label";

export interface FieldProps {
  label: ReactNode;
  /** id of the control inside; ties the <label> to it. */
  htmlFor: string;
  /** Validation message, shown in red under the control (role="alert"). */
  error?: string | null;
  /** Helper text under the control (hidden while an error is shown). */
  hint?: ReactNode;
  /** Shows a "required" marker next to the label. */
  required?: boolean;
  className?: string;
  children: ReactNode;
}

type AriaProps = {
  "aria-describedby"?: string;
  "aria-invalid"?: boolean | "true" | "false";
};

/**
 * Label + control + hint/error. When `children` is a single element (Input, Select, Textarea, ...),
 * Field adds `aria-describedby` (hint/error ids: `${htmlFor}-hint`, `${htmlFor}-error`) and `aria-invalid`
 * to it automatically, unless the child sets them itself.
 */
export function Field({ label, htmlFor, error, hint, required, className, children }: FieldProps) {
  const errorId = `${htmlFor}-error`;
  const hintId = `${htmlFor}-hint`;
  const showHint = hint != null && hint !== false && !error;
  const describedBy = error ? errorId : showHint ? hintId : undefined;

  let control = children;
  const only = Children.count(children) === 1 ? Children.toArray(children)[0] : null;
  if (isValidElement(only)) {
    const el = only as ReactElement<AriaProps>;
    const own = el.props;
    control = cloneElement(el, {
      "aria-describedby": [own["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined,
      "aria-invalid": own["aria-invalid"] ?? (error ? true : undefined),
    });
  }

  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      <Label htmlFor={htmlFor}>
        {label}
        {required ? (
          <span className="ml-0.5 text-danger" aria-hidden="true">
            *
          </span>
        ) : null}
      </Label>
      {control}
      {showHint ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-xs font-medium text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
