// Scores people and scripts give logged requests. One rule: a console user's score of a given name on a
// request is one row (giving it again replaces it, the unique index enforces it); an API key's scores are
// appended, since one key reports for many end users.

import {
  type CreateFeedbackInput,
  createFeedbackInput,
  type FeedbackItem,
  feedbackListOut,
  listFeedbackInput,
} from "@/lib/feedback";
import { notFound } from "@/server/errors";
import type { ServiceDeps } from "@/server/modules/deps";

/** Most scores one request lists (a script looping on one request must not make the page unbounded). */
const LIST_LIMIT = 200;

/** When the request was logged, or NOT_FOUND when it is not in the caller's project (or past retention). */
async function requestStartedAt(deps: ServiceDeps, requestId: string): Promise<Date> {
  const row = await deps.db.requestLog.findFirst({
    where: { id: requestId, projectId: deps.caller.projectId },
    select: { startedAt: true },
  });
  if (!row) throw notFound("Request", requestId);
  return row.startedAt;
}

export async function createFeedback(deps: ServiceDeps, rawInput: CreateFeedbackInput): Promise<FeedbackItem> {
  const input = createFeedbackInput.parse(rawInput);
  const requestStarted = await requestStartedAt(deps, input.id);
  const { actor, projectId } = deps.caller;
  const data = {
    projectId,
    requestId: input.id,
    requestStartedAt: requestStarted,
    name: input.name,
    value: input.value,
    comment: input.comment || null,
    endUser: input.endUser ?? null,
    userId: actor.userId,
    apiKeyId: actor.keyId,
  };
  const row = actor.userId
    ? await deps.db.requestFeedback.upsert({
        where: {
          projectId_requestId_name_userId: { projectId, requestId: input.id, name: input.name, userId: actor.userId },
        },
        create: data,
        update: { value: data.value, comment: data.comment, endUser: data.endUser, createdAt: new Date() },
      })
    : await deps.db.requestFeedback.create({ data });
  return { ...toItem(row, actor.userId), givenBy: actor.label };
}

type Row = {
  id: string;
  requestId: string;
  name: string;
  value: number;
  comment: string | null;
  endUser: string | null;
  userId: string | null;
  apiKeyId: string | null;
  createdAt: Date;
};

function toItem(row: Row, me: string | null): Omit<FeedbackItem, "givenBy"> {
  return {
    id: row.id,
    requestId: row.requestId,
    name: row.name,
    value: row.value,
    comment: row.comment,
    endUser: row.endUser,
    mine: me !== null && row.userId === me,
    createdAt: row.createdAt,
  };
}

/** A request's scores, newest first (at most LIST_LIMIT), with count and mean per name over all of them. */
export async function listFeedback(deps: ServiceDeps, rawInput: { id: string }) {
  const { id } = listFeedbackInput.parse(rawInput);
  const where = { projectId: deps.caller.projectId, requestId: id };
  const [rows, groups] = await Promise.all([
    deps.db.requestFeedback.findMany({ where, orderBy: { createdAt: "desc" }, take: LIST_LIMIT }),
    deps.db.requestFeedback.groupBy({ by: ["name"], where, _count: { _all: true }, _avg: { value: true } }),
  ]);
  const [users, keys] = await Promise.all([
    deps.db.user.findMany({
      where: { id: { in: [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))] } },
      select: { id: true, email: true },
    }),
    deps.db.apiKey.findMany({
      where: {
        projectId: deps.caller.projectId,
        id: { in: [...new Set(rows.flatMap((r) => (r.apiKeyId ? [r.apiKeyId] : [])))] },
      },
      select: { id: true, name: true },
    }),
  ]);
  const emails = new Map(users.map((u) => [u.id, u.email]));
  const keyNames = new Map(keys.map((k) => [k.id, `key ${k.name}`]));
  const givenBy = (r: Row) =>
    (r.userId && emails.get(r.userId)) || (r.apiKeyId && keyNames.get(r.apiKeyId)) || "a removed user or key";
  return feedbackListOut.parse({
    items: rows.map((r) => ({ ...toItem(r, deps.caller.actor.userId), givenBy: givenBy(r) })),
    summary: groups
      .map((g) => ({ name: g.name, count: g._count._all, mean: g._avg.value ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  });
}
