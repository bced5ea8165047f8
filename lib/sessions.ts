// Sessions: the requests that share an `x-switchyard-session` header, or (without one) a `user`. Browser-safe.
import { z } from "zod";

/** Longest time range the sessions list groups over (it reads every row in the range). */
export const SESSIONS_MAX_DAYS = 31;
/** Most requests a session's transcript shows (the oldest first). */
export const TRANSCRIPT_LIMIT = 100;

const SESSION_KINDS = ["session", "user"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

const range = {
  from: z.coerce.date(),
  to: z.coerce.date(),
};
type Range = { from: Date; to: Date };
const ordered: [(i: Range) => boolean, { message: string; path: string[] }] = [
  (i) => i.from.getTime() < i.to.getTime(),
  { message: "`from` must be before `to`", path: ["to"] },
];
const withinDays: [(i: Range) => boolean, { message: string; path: string[] }] = [
  (i) => i.to.getTime() - i.from.getTime() <= SESSIONS_MAX_DAYS * 86_400_000,
  { message: `Sessions cover at most ${SESSIONS_MAX_DAYS} days: narrow the time range`, path: ["from"] },
];

export const listSessionsInput = z
  .object({
    ...range,
    /** Only sessions, only users, or both (default). */
    kind: z.enum(SESSION_KINDS).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine(...ordered)
  .refine(...withinDays);
export type ListSessionsInput = z.input<typeof listSessionsInput>;

export const getSessionInput = z
  .object({
    ...range,
    kind: z.enum(SESSION_KINDS),
    key: z.string().trim().min(1, "Give a session id or user").max(200, "At most 200 characters"),
  })
  .refine(...ordered)
  .refine(...withinDays);
export type GetSessionInput = z.input<typeof getSessionInput>;

const sessionSummaryOut = z.object({
  kind: z.enum(SESSION_KINDS),
  key: z.string(),
  requests: z.number(),
  errors: z.number(),
  firstSeen: z.date(),
  lastSeen: z.date(),
  costUsd: z.number(),
  tokensIn: z.number(),
  tokensOut: z.number(),
  /** The end users seen in a session (a user session: the user itself). */
  users: z.array(z.string()),
});
export type SessionSummary = z.infer<typeof sessionSummaryOut>;

export const sessionListOut = z.object({ items: z.array(sessionSummaryOut) });

const transcriptTurnOut = z.object({
  id: z.string(),
  startedAt: z.date(),
  status: z.number(),
  requestedModel: z.string().nullable(),
  latencyMs: z.number(),
  costUsd: z.number(),
  userId: z.string().nullable(),
  errorMessage: z.string().nullable(),
  requestBody: z.json().nullable(),
  responseBody: z.json().nullable(),
});

export const sessionTranscriptOut = z.object({
  summary: sessionSummaryOut.nullable(),
  turns: z.array(transcriptTurnOut),
  /** True when the session has more requests in the range than the transcript shows. */
  truncated: z.boolean(),
});
