import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { handleFileDownload } from "@/server/modules/batches/console";

export const dynamic = "force-dynamic";
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleFileDownload(req, { db: db(), session: sessionPrincipal }, id);
}
