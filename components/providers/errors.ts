/** The shape our tRPC error formatter adds: `data.issues` with dotted field paths. */
interface ErrorLike {
  message?: string;
  data?: { issues?: { path: string; message: string }[] } | null;
}

/** The message of the issue that names this form field, if any. */
export function fieldError(error: unknown, field: string): string | undefined {
  const issues = (error as ErrorLike | null)?.data?.issues ?? [];
  return issues.find((i) => i.path === field || i.path.startsWith(`${field}.`))?.message;
}

/** The error's message when none of the form's fields shows it (conflicts, permissions, outages). */
export function formError(error: unknown, fields: string[]): string | undefined {
  if (!error) return undefined;
  if (fields.some((f) => fieldError(error, f))) return undefined;
  return (error as ErrorLike).message ?? "Something went wrong";
}
