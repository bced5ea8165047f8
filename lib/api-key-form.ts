import { z } from "zod";

/** The create-key form's own fields, shared by the server's input schema and the dialog's live validation. */
export const apiKeyName = z.string().trim().min(1, "Name is required").max(80, "Name must be at most 80 characters");

export const apiKeyDraft = z.object({
  name: apiKeyName,
  scopes: z.array(z.string()).min(1, "Choose at least one scope"),
});
