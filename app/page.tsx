import { redirect } from "next/navigation";
import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { listForUser } from "@/server/modules/projects/service";

/** `/` sends a signed-in user to their first project, everyone else to sign-in. */
export default async function Home() {
  const user = await sessionPrincipal();
  if (user?.kind !== "user") redirect("/sign-in");
  const first = (await listForUser({ db: db() }, { userId: user.userId })).flatMap((o) => o.projects)[0];
  redirect(first ? `/projects/${first.id}/models` : "/no-project");
}
