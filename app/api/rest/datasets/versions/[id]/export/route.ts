import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleDatasetExport } from "@/server/modules/datasets/http";

export const dynamic = "force-dynamic";
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleDatasetExport(req, { db: db(), session: sessionPrincipal }, id);
}
