import { z } from "zod";

const instant = (field: string) =>
  z.iso.datetime({ offset: true, message: `${field} must be an ISO date-time, e.g. 2026-12-06T09:30:00Z` });

/** The audit log's filters, shared by the console and REST (strings in a query string). */
export const auditFilters = {
  /** One resource kind: the actions that start with `<resource>.` (see `audit.facets`). */
  resource: z
    .string()
    .max(50)
    .regex(/^[A-Za-z]+$/, "resource is an action's first word, e.g. model")
    .optional(),
  /** An action, or the start of one (`model.alias`). */
  action: z.string().max(100).optional(),
  /** Part of the actor's label (an e-mail or a key's name), any case. */
  actor: z.string().max(200).optional(),
  from: instant("from").optional(),
  to: instant("to").optional(),
};

/** A time range ends after it starts (for a list input built from `auditFilters`). */
export const rangeInOrder: [(v: { from?: string; to?: string }) => boolean, { path: string[]; message: string }] = [
  (v) => !v.from || !v.to || Date.parse(v.from) <= Date.parse(v.to),
  { path: ["to"], message: "to must not be before from" },
];

export const listAuditInput = z
  .object({
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(200).default(25),
    ...auditFilters,
  })
  .refine(...rangeInOrder);

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

/** What the filters can offer: the actions recorded in the project, and who acted lately. */
export const auditFacets = z.object({
  actions: z.array(z.string()),
  actors: z.array(z.string()),
});
