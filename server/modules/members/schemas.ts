import { z } from "zod";
import { ROLES } from "@/lib/scopes";

const roleSchema = z.enum(ROLES, { message: `Role must be one of: ${ROLES.join(", ")}` });

export const addMemberInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid e-mail address"),
  role: roleSchema,
  /** Name and initial password create the account when no user has this e-mail yet. */
  name: z.string().trim().min(1).max(100).optional(),
  password: z.string().min(8, "Password must be at least 8 characters").max(200).optional(),
});

export const updateMemberRoleInput = z.object({ userId: z.string().uuid("userId must be a UUID"), role: roleSchema });
export const memberIdInput = z.object({ userId: z.string().uuid("userId must be a UUID") });

export const memberSummary = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.date(),
});
