import { z } from "zod";
import { ROLES } from "@/server/auth/scopes";

const name = z.string().trim().min(1, "Name is required").max(80, "Name must be at most 80 characters");

export const createOrganizationInput = z.object({ name, projectName: name.default("Default") });
export const createProjectInput = z.object({ organizationId: z.string().uuid("organizationId must be a UUID"), name });

export const projectSummary = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  role: z.enum(ROLES).nullable(),
});

export const organizationWithProjects = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  role: z.enum(ROLES).nullable(),
  projects: z.array(projectSummary),
});

/** Which gateway request/response bodies the request log keeps. */
export const BODY_LOGGING = ["none", "masked", "full"] as const;
export const BODY_LOGGING_LABELS: Record<(typeof BODY_LOGGING)[number], string> = {
  none: "None — no bodies are stored",
  masked: "Masked — bodies with personal data replaced by placeholders like <EMAIL_1>",
  full: "Full — bodies exactly as sent and answered",
};

export const projectSettings = z.object({
  requestBodyLogging: z.enum(BODY_LOGGING, { message: "Body logging must be none, masked or full" }),
});
export const updateProjectSettingsInput = projectSettings;
export type UpdateProjectSettingsInput = z.input<typeof updateProjectSettingsInput>;
