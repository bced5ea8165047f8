import { z } from "zod";
import { CHAT_ROLES } from "../template/schemas";

/**
 * The prompt diff as the API returns it (`prompts.diff`): the shapes of `./index.ts`, `./chat.ts`,
 * `./config.ts` and `@/lib/text-diff`, spelled out so the output is validated and typed.
 */

const diffLine = z.object({
  type: z.enum(["context", "add", "remove"]),
  text: z.string(),
  oldLine: z.number().int().optional(),
  newLine: z.number().int().optional(),
});

const diffHunk = z.object({
  header: z.string(),
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  lines: z.array(diffLine),
});

const textDiff = z.object({
  hunks: z.array(diffHunk),
  additions: z.number().int(),
  deletions: z.number().int(),
});

const messageDiff = z.object({
  status: z.enum(["added", "removed", "changed", "unchanged"]),
  oldIndex: z.number().int().nullable(),
  newIndex: z.number().int().nullable(),
  oldRole: z.enum(CHAT_ROLES).nullable(),
  newRole: z.enum(CHAT_ROLES).nullable(),
  roleChanged: z.boolean(),
  content: textDiff,
});

const promptType = z.enum(["text", "chat"]);

const templateDiff = z.discriminatedUnion("kind", [
  textDiff.extend({ kind: z.literal("text") }),
  z.object({
    kind: z.literal("chat"),
    messages: z.array(messageDiff),
    additions: z.number().int(),
    deletions: z.number().int(),
  }),
  textDiff.extend({ kind: z.literal("type-changed"), fromType: promptType, toType: promptType }),
]);

/** Old and new values are parts of a stored config: any JSON (a response schema is open-ended). */
const configChange = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  key: z.string(),
  change: z.enum(["added", "removed", "changed"]),
  oldValue: z.json().optional(),
  newValue: z.json().optional(),
});

export const versionDiff = z.object({
  identical: z.boolean(),
  template: templateDiff,
  config: z.array(configChange),
  stats: z.object({
    additions: z.number().int(),
    deletions: z.number().int(),
    messagesAdded: z.number().int(),
    messagesRemoved: z.number().int(),
    messagesChanged: z.number().int(),
    configChanges: z.number().int(),
  }),
  unified: z.string(),
});
