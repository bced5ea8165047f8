import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";

export const dynamic = "force-dynamic";
export const POST = (req: Request) => handleArtifactUpload(req, { db: db(), session: sessionPrincipal });
