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
