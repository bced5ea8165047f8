import type { z } from "zod";
import type { RoleName } from "@/lib/scopes";
import type { Actor } from "@/server/auth/principal";
import type { DbTx } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps, UserDeps } from "@/server/modules/deps";
import type {
  createOrganizationInput,
  createProjectInput,
  organizationWithProjects,
  projectSummary,
} from "@/server/modules/projects/schemas";

type ProjectSummary = z.infer<typeof projectSummary>;
type OrgWithProjects = z.infer<typeof organizationWithProjects>;

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return slug || "project";
}

async function uniqueSlug(taken: (slug: string) => Promise<boolean>, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}

/** The organisations and projects a user belongs to, for the switcher. */
export async function listForUser(
  deps: Pick<UserDeps, "db">,
  { userId }: { userId: string },
): Promise<OrgWithProjects[]> {
  const [orgMemberships, projectMemberships] = await Promise.all([
    deps.db.organizationMember.findMany({ where: { userId }, include: { organization: true } }),
    deps.db.projectMember.findMany({
      where: { userId },
      include: { project: { include: { organization: true } } },
      orderBy: { project: { createdAt: "asc" } },
    }),
  ]);
  const orgs = new Map<string, OrgWithProjects>();
  for (const m of orgMemberships)
    orgs.set(m.organizationId, { ...pickOrg(m.organization), role: m.role, projects: [] });
  for (const m of projectMemberships) {
    const org = m.project.organization;
    if (!orgs.has(org.id)) orgs.set(org.id, { ...pickOrg(org), role: null, projects: [] });
    orgs.get(org.id)!.projects.push(toProject(m.project, m.role));
  }
  return [...orgs.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const pickOrg = (o: { id: string; name: string; slug: string }) => ({ id: o.id, name: o.name, slug: o.slug });
const toProject = (
  p: { id: string; name: string; slug: string; organizationId: string; organization: { name: string } },
  role: RoleName | null,
): ProjectSummary => ({
  id: p.id,
  name: p.name,
  slug: p.slug,
  organizationId: p.organizationId,
  organizationName: p.organization.name,
  role,
});

async function insertProject(tx: DbTx, organizationId: string, name: string, ownerId: string | null, actor: Actor) {
  const slug = await uniqueSlug(
    async (s) => !!(await tx.project.findUnique({ where: { organizationId_slug: { organizationId, slug: s } } })),
    slugify(name),
  );
  const project = await tx.project.create({ data: { organizationId, name, slug }, include: { organization: true } });
  if (ownerId) await tx.projectMember.create({ data: { projectId: project.id, userId: ownerId, role: "owner" } });
  await recordAudit(tx, actor, {
    projectId: project.id,
    action: "project.create",
    targetType: "project",
    targetId: project.id,
    summary: { name, slug },
  });
  return project;
}

export async function createOrganization(
  deps: UserDeps,
  input: z.output<typeof createOrganizationInput>,
): Promise<ProjectSummary> {
  const { actor } = deps;
  return deps.db.$transaction(async (tx) => {
    const slug = await uniqueSlug(
      async (s) => !!(await tx.organization.findUnique({ where: { slug: s } })),
      slugify(input.name),
    );
    const org = await tx.organization.create({ data: { name: input.name, slug } });
    if (actor.userId)
      await tx.organizationMember.create({ data: { organizationId: org.id, userId: actor.userId, role: "owner" } });
    const project = await insertProject(tx, org.id, input.projectName, actor.userId, actor);
    return toProject(project, actor.userId ? "owner" : null);
  });
}

export async function createProject(
  deps: UserDeps,
  input: z.output<typeof createProjectInput>,
): Promise<ProjectSummary> {
  const { actor } = deps;
  if (!actor.userId) throw new DomainError("FORBIDDEN", "Only a signed-in user can create projects");
  return deps.db.$transaction(async (tx) => {
    const membership = await tx.organizationMember.findUnique({
      where: { organizationId_userId: { organizationId: input.organizationId, userId: actor.userId! } },
    });
    if (!membership) throw notFound("Organisation", input.organizationId);
    if (membership.role !== "owner" && membership.role !== "admin")
      throw new DomainError("FORBIDDEN", "Only organisation owners and admins can create projects");
    const project = await insertProject(tx, input.organizationId, input.name, actor.userId, actor);
    return toProject(project, "owner");
  });
}

export async function getProject(deps: ServiceDeps): Promise<ProjectSummary> {
  const { projectId, role } = deps.caller;
  const project = await deps.db.project.findUnique({ where: { id: projectId }, include: { organization: true } });
  if (!project) throw notFound("Project", projectId);
  return toProject(project, role);
}
