import { z } from "zod";
import { BODY_LOGGING } from "@/lib/projects";
import { ROLES } from "@/lib/scopes";

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

export const projectSettings = z.object({
  requestBodyLogging: z.enum(BODY_LOGGING, { message: "Body logging must be none, masked or full" }),
});
