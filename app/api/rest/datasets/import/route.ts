import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleDatasetImport } from "@/server/modules/datasets/http";

export const dynamic = "force-dynamic";
export const POST = (req: Request) => handleDatasetImport(req, { db: db(), session: sessionPrincipal });
