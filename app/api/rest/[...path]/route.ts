import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleRest } from "@/server/trpc/rest";

export const dynamic = "force-dynamic";
const handler = (req: Request) => handleRest(req, { db: db(), session: sessionPrincipal });

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
