import { notFound } from "next/navigation";
import { db } from "@/server/db";
import { type ProjectResource, resourceExists } from "@/server/modules/projects/resource-exists";

/** A detail page's first line: an item that is not in this project is the project's "not found" page. */
export async function requireResource(projectId: string, kind: ProjectResource, id: string): Promise<void> {
  if (!(await resourceExists({ db: db() }, { projectId, kind, id }))) notFound();
}
