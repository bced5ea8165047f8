import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { streamRunResponse } from "@/server/modules/runs/sse";

export const dynamic = "force-dynamic";
export const POST = (req: Request) => streamRunResponse(req, { db: db(), session: sessionPrincipal });
