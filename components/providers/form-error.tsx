import { formError } from "@/components/providers/errors";
import { cn } from "@/components/ui/cn";

/** The form-level error of a failed mutation: what no field listed in `fields` shows itself. */
export function FormError({ error, fields, className }: { error: unknown; fields: string[]; className?: string }) {
  const message = formError(error, fields);
  if (!message) return null;
  return (
    <p role="alert" className={cn("text-danger text-sm", className)}>
      {message}
    </p>
  );
}
