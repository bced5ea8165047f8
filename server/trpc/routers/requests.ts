import type { z } from "zod";
import { createFeedbackInput, feedbackListOut, feedbackOut, listFeedbackInput } from "@/lib/feedback";
import { getSessionInput, listSessionsInput, sessionListOut, sessionTranscriptOut } from "@/lib/sessions";
import { createFeedback, listFeedback } from "@/server/modules/feedback/service";
import { requestLogPool } from "@/server/modules/request-log/runtime";
import { getSession, listSessions } from "@/server/modules/sessions/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Requests"];
const pool = () => requestLogPool();

/** Feedback on logged requests, and sessions (requests sharing a session header or a user). */
export const requestsRouter = createTRPCRouter({
  addFeedback: projectProcedure
    .meta({
      scope: "feedback:write",
      openapi: {
        method: "POST",
        path: "/requests/{id}/feedback",
        tags,
        summary: "Attach a feedback score (name, finite value, optional comment and end user) to a logged request",
      },
    })
    .input(createFeedbackInput)
    .output(feedbackOut)
    .mutation(({ ctx, input }) => createFeedback(ctx, input)),

  feedback: projectProcedure
    .meta({
      scope: "monitoring:read",
      openapi: { method: "GET", path: "/requests/{id}/feedback", tags, summary: "A logged request's feedback scores" },
    })
    .input(listFeedbackInput)
    .output(feedbackListOut)
    .query(({ ctx, input }) => listFeedback(ctx, input)),

  sessions: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(listSessionsInput)
    .output(sessionListOut)
    .query(({ ctx, input }) => listSessions({ pool: pool(), projectId: ctx.caller.projectId }, input)),

  session: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(getSessionInput)
    .output(sessionTranscriptOut)
    .query(async ({ ctx, input }) => {
      const transcript = await getSession({ pool: pool(), projectId: ctx.caller.projectId }, input);
      return transcript as typeof transcript & z.infer<typeof sessionTranscriptOut>;
    }),
});
