import { z } from "zod";
import { apiKeyIdInput, apiKeySummary, createApiKeyInput, createdApiKey } from "@/server/modules/api-keys/schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/modules/api-keys/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";
import { queryBoolean } from "@/server/trpc/openapi-helpers";

export const apiKeysRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "apiKeys:read",
      openapi: { method: "GET", path: "/api-keys", tags: ["API keys"], summary: "List the project's API keys" },
    })
    .input(z.object({ includeRevoked: queryBoolean.default(false) }))
    .output(z.array(apiKeySummary))
    .query(({ ctx, input }) => listApiKeys(ctx, ctx.project.projectId, input.includeRevoked)),

  create: projectProcedure
    .meta({
      scope: "apiKeys:write",
      openapi: {
        method: "POST",
        path: "/api-keys",
        tags: ["API keys"],
        summary: "Create an API key (the key is returned once)",
      },
    })
    .input(createApiKeyInput)
    .output(createdApiKey)
    .mutation(({ ctx, input }) => createApiKey(ctx, ctx, input)),

  revoke: projectProcedure
    .meta({
      scope: "apiKeys:write",
      openapi: { method: "POST", path: "/api-keys/{id}/revoke", tags: ["API keys"], summary: "Revoke an API key" },
    })
    .input(apiKeyIdInput)
    .output(apiKeySummary)
    .mutation(({ ctx, input }) => revokeApiKey(ctx, ctx, input.id)),
});
