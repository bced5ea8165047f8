import { z } from "zod";
import { SCOPES } from "@/server/auth/scopes";

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "Name is required").max(80, "Name must be at most 80 characters"),
  scopes: z
    .array(z.enum(SCOPES, { message: `Unknown scope; valid scopes: ${SCOPES.join(", ")}` }))
    .min(1, "Choose at least one scope"),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
});
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

export const apiKeyIdInput = z.object({ id: z.string().uuid("id must be a UUID") });

export const listApiKeysInput = z.object({
  includeRevoked: z.boolean().default(false),
});

export const apiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const createdApiKey = apiKeySummary.extend({
  /** The whole key: returned once, at creation, and never again. */
  key: z.string(),
});
