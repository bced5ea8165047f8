// Feedback on logged requests: what people (console) and scripts (REST, by API key) send. Browser-safe: the
// console's thumbs and comment form validate with the same schema.
import { z } from "zod";

/** A score's name: lower-case words joined by `_`, `-` or `.` (thumbs, rating, resolved, csat.v2). */
const FEEDBACK_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const FEEDBACK_COMMENT_MAX = 2000;
/** The console's thumbs: one score named `thumbs`, 1 for up and 0 for down. */
export const THUMBS = "thumbs";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters (but line breaks) are what it refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const feedbackFields = {
  name: z
    .string()
    .regex(FEEDBACK_NAME, "Name: 1-64 lower-case letters, digits, '_', '-' or '.', starting with a letter"),
  value: z
    .number({ message: "Value must be a number" })
    .refine(Number.isFinite, "Value must be a finite number")
    .refine((v) => Math.abs(v) <= 1e9, "Value must be between -1e9 and 1e9"),
  comment: z
    .string()
    .trim()
    .max(FEEDBACK_COMMENT_MAX, `Comment must be at most ${FEEDBACK_COMMENT_MAX} characters`)
    .refine((text) => !CONTROL.test(text), "Comment must not contain control characters")
    .optional(),
  /** The application's id for the person who gave the score (scripts reporting for their users). */
  endUser: z
    .string()
    .trim()
    .min(1, "End user must not be empty")
    .max(200, "End user must be at most 200 characters")
    .refine((text) => !CONTROL.test(text), "End user must not contain control characters")
    .optional(),
};

/** Strict: a misspelt field (`vaule`) is a 400 naming it, not a silently dropped value. */
export const createFeedbackInput = z.strictObject({
  id: z.string().uuid("The request id must be a UUID"),
  ...feedbackFields,
});
export type CreateFeedbackInput = z.input<typeof createFeedbackInput>;

/** The console's form (the request id comes from the page). */
export const feedbackFormSchema = z.object({ comment: feedbackFields.comment });

export const listFeedbackInput = z.object({ id: z.string().uuid("The request id must be a UUID") });

export const feedbackOut = z.object({
  id: z.string(),
  requestId: z.string(),
  name: z.string(),
  value: z.number(),
  comment: z.string().nullable(),
  endUser: z.string().nullable(),
  /** Who gave it: a console user's email, an API key's name. */
  givenBy: z.string(),
  mine: z.boolean(),
  createdAt: z.date(),
});
export type FeedbackItem = z.infer<typeof feedbackOut>;

export const feedbackListOut = z.object({
  items: z.array(feedbackOut),
  /** Per score name: how many and the mean value. */
  summary: z.array(z.object({ name: z.string(), count: z.number(), mean: z.number() })),
});
