import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleTrpc } from "@/server/trpc/http";

const handler = (req: Request) => handleTrpc(req, { db: db(), session: sessionPrincipal });

export { handler as GET, handler as POST };
