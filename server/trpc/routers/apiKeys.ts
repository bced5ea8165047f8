import { z } from "zod";
import { queryBoolean } from "@/lib/query-params";
import { listApiKeyUsage, updateApiKeyLimits } from "@/server/modules/api-keys/limits";
import {
  apiKeyIdInput,
  apiKeySummary,
  apiKeyUsage,
  createApiKeyInput,
  createdApiKey,
  updateApiKeyLimitsInput,
} from "@/server/modules/api-keys/schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/modules/api-keys/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

export const apiKeysRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "apiKeys:read",
      openapi: { method: "GET", path: "/api-keys", tags: ["API keys"], summary: "List the project's API keys" },
    })
    .input(z.object({ includeRevoked: queryBoolean.default(false) }))
    .output(z.array(apiKeySummary))
    .query(({ ctx, input }) => listApiKeys(ctx, input)),

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
    .mutation(({ ctx, input }) => createApiKey(ctx, input)),

  revoke: projectProcedure
    .meta({
      scope: "apiKeys:write",
      openapi: { method: "POST", path: "/api-keys/{id}/revoke", tags: ["API keys"], summary: "Revoke an API key" },
    })
    .input(apiKeyIdInput)
    .output(apiKeySummary)
    .mutation(({ ctx, input }) => revokeApiKey(ctx, input)),

  usage: projectProcedure
    .meta({
      scope: "apiKeys:read",
      openapi: {
        method: "GET",
        path: "/api-keys/usage",
        tags: ["API keys"],
        summary: "Current usage of the keys with limits (requests and tokens this minute, spend this period)",
      },
    })
    .input(z.object({}))
    .output(z.array(apiKeyUsage))
    .query(({ ctx }) => listApiKeyUsage(ctx)),

  updateLimits: projectProcedure
    .meta({
      scope: "apiKeys:write",
      openapi: {
        method: "PUT",
        path: "/api-keys/{id}/limits",
        tags: ["API keys"],
        summary: "Change an API key's limits and budget (null = unlimited; omitted = unchanged)",
      },
    })
    .input(updateApiKeyLimitsInput)
    .output(apiKeySummary)
    .mutation(({ ctx, input }) => updateApiKeyLimits(ctx, input)),
});
