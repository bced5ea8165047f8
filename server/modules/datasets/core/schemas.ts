/**
 * Zod schemas for the options the datasets core takes from users (filters,
 * splits, masking, k-anonymity, import policy). Client-safe: no Node
 * imports, so forms can reuse them. The core functions take the parsed types.
 */
import { z } from "zod";
import { userPatternProblem } from "@/lib/regex";
import { CHAT_ROLES, PII_KINDS } from "./types";

const role = z.enum(CHAT_ROLES);

const contentPatternSchema = z
  .object({
    pattern: z.string().min(1).max(1000),
    flags: z
      .string()
      .regex(/^[imsu]*$/, "only i, m, s and u are allowed")
      .optional(),
    roles: z.array(role).min(1).optional(),
  })
  .superRefine((p, ctx) => {
    // Run in RE2 (lib/regex.ts): linear time over every example, whatever the pattern.
    const problem = /^[imsu]*$/.test(p.flags ?? "") ? userPatternProblem(p.pattern, p.flags ?? "") : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
  });

export const filterCriteriaSchema = z
  .object({
    minTokens: z.number().int().min(0).optional(),
    maxTokens: z.number().int().min(1).optional(),
    requireRoles: z.array(role).optional(),
    forbidRoles: z.array(role).optional(),
    include: z.array(contentPatternSchema).max(50).optional(),
    exclude: z.array(contentPatternSchema).max(50).optional(),
  })
  .refine((c) => c.minTokens === undefined || c.maxTokens === undefined || c.minTokens <= c.maxTokens, {
    message: "minTokens must not exceed maxTokens",
    path: ["minTokens"],
  });

export const splitOptionsSchema = z.object({
  ratio: z.number().gt(0).lt(1),
  salt: z.string().max(200).optional(),
});

export const maskOptionsSchema = z.object({
  kinds: z.array(z.enum(PII_KINDS)).min(1).optional(),
  roles: z.array(role).min(1).optional(),
});

export const kAnonymityOptionsSchema = z.object({
  fields: z
    .array(z.string().regex(/^[^.]+(\.[^.]+)*$/, "a dotted path into metadata"))
    .min(1)
    .max(20),
  k: z.number().int().min(2),
  limit: z.number().int().min(1).max(1000).optional(),
});

export const importPolicySchema = z.object({
  mode: z.enum(["strict", "lenient"]),
  maxRejectedFraction: z.number().min(0).max(1).optional(),
});

export const validateOptionsSchema = z.object({
  format: z.enum(["auto", "chat", "completion"]).optional(),
  emptyLines: z.enum(["skip", "error"]).optional(),
  maxLineBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .optional(),
  maxTokensPerExample: z.number().int().min(1).optional(),
  tooManyTokens: z.enum(["error", "warning"]).optional(),
});
