import { z } from "zod";
import { queryInt } from "@/lib/query-params";
import { versionDiff } from "@/server/modules/prompts/diff/schemas";
import { fetchPrompt, promptCache } from "@/server/modules/prompts/fetch";
import { labelHistory, moveLabel, setLabelProtection } from "@/server/modules/prompts/labels";
import {
  compiledPrompt,
  createPromptInput,
  createPromptVersionInput,
  labelEvent,
  labelName,
  moveLabelInput,
  previewInput,
  promptDetail,
  promptSelector,
  promptSummary,
  promptVersionOut,
  protectLabelInput,
  renderInput,
} from "@/server/modules/prompts/schemas";
import { createPrompt, createPromptVersion, getPrompt, listPrompts } from "@/server/modules/prompts/service";
import {
  diffPromptVersions,
  previewPrompt,
  previewResult,
  renderedPrompt,
  renderStoredPrompt,
} from "@/server/modules/prompts/templating";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Prompts"];
export const promptsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "prompts:read", openapi: { method: "GET", path: "/prompts", tags, summary: "List prompts" } })
    .input(
      z.object({
        page: queryInt(1, 100_000).default(1),
        pageSize: queryInt(1, 100).default(20),
        search: z.string().max(100).optional(),
        folder: z.string().max(200).optional(),
      }),
    )
    .output(z.object({ items: z.array(promptSummary), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ ctx, input }) => listPrompts(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "prompts:read",
      openapi: { method: "GET", path: "/prompts/{id}", tags, summary: "A prompt with its versions" },
    })
    .input(z.object({ id: z.string().uuid("id must be a UUID") }))
    .output(promptDetail)
    .query(({ ctx, input }) => getPrompt(ctx, input)),

  create: projectProcedure
    .meta({
      scope: "prompts:write",
      openapi: { method: "POST", path: "/prompts", tags, summary: "Create a prompt with version 1" },
    })
    .input(createPromptInput)
    .output(z.object({ promptId: z.string(), version: promptVersionOut }))
    .mutation(({ ctx, input }) => createPrompt(ctx, input)),

  createVersion: projectProcedure
    .meta({
      scope: "prompts:write",
      openapi: { method: "POST", path: "/prompts/{promptId}/versions", tags, summary: "Save a new immutable version" },
    })
    .input(createPromptVersionInput)
    .output(promptVersionOut)
    .mutation(({ ctx, input }) => createPromptVersion(ctx, input)),

  moveLabel: projectProcedure
    .meta({
      scope: "prompts:write",
      openapi: {
        method: "PUT",
        path: "/prompts/{promptId}/labels/{label}",
        tags,
        summary: "Point a label at a version",
      },
    })
    .input(moveLabelInput)
    .output(labelEvent)
    .mutation(({ ctx, input }) => moveLabel(ctx, input)),

  protectLabel: projectProcedure
    .meta({
      scope: "prompts:protect",
      openapi: {
        method: "POST",
        path: "/prompts/{promptId}/labels/{label}/protection",
        tags,
        summary: "Protect or unprotect a label",
      },
    })
    .input(protectLabelInput)
    .output(z.object({ label: z.string(), protected: z.boolean() }))
    .mutation(({ ctx, input }) => setLabelProtection(ctx, input)),

  labelHistory: projectProcedure
    .meta({
      scope: "prompts:read",
      openapi: { method: "GET", path: "/prompts/{promptId}/label-history", tags, summary: "Every label move" },
    })
    .input(z.object({ promptId: z.string().uuid(), label: labelName.optional() }))
    .output(z.array(labelEvent))
    .query(({ ctx, input }) => labelHistory(ctx, input)),

  diff: projectProcedure
    .meta({
      scope: "prompts:read",
      openapi: {
        method: "GET",
        path: "/prompts/{promptId}/diff",
        tags,
        summary: "Diff two versions (template and config)",
      },
    })
    .input(z.object({ promptId: z.string().uuid(), from: queryInt(1, 1_000_000), to: queryInt(1, 1_000_000) }))
    .output(versionDiff)
    .query(({ ctx, input }) => diffPromptVersions(ctx, input)),

  fetch: projectProcedure
    .meta({
      scope: "prompts:read",
      openapi: {
        method: "GET",
        path: "/prompt",
        tags,
        summary: "A prompt by name and label (production by default) or version; cached, with an etag",
      },
    })
    .input(promptSelector)
    .output(compiledPrompt)
    .query(({ ctx, input }) => fetchPrompt({ ...ctx, cache: promptCache() }, input)),

  render: projectProcedure
    .meta({
      scope: "prompts:read",
      openapi: {
        method: "POST",
        path: "/prompts/render",
        tags,
        summary: "Render a prompt with variables into messages or text",
      },
    })
    .input(renderInput)
    .output(renderedPrompt)
    .mutation(({ ctx, input }) => renderStoredPrompt({ ...ctx, cache: promptCache() }, input)),

  preview: projectProcedure
    .meta({ scope: "prompts:read" })
    .input(previewInput)
    .output(previewResult)
    .mutation(({ ctx, input }) => previewPrompt(ctx, input)),
});
