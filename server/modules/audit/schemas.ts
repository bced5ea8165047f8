import { z } from "zod";

export const listAuditInput = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(25),
  action: z.string().max(100).optional(),
  actor: z.string().max(200).optional(),
});

const auditEntry = z.object({
  id: z.string(),
  actorType: z.enum(["user", "api_key", "system"]),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  /** Whatever the action recorded (names, before/after values): open-ended JSON, read back from jsonb. */
  summary: z.record(z.string(), z.json()),
  createdAt: z.date(),
});

export const auditPage = z.object({
  items: z.array(auditEntry),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type AuditSummary = z.infer<typeof auditEntry>["summary"];
