import { openApiDocument } from "@/server/trpc/openapi";

export const dynamic = "force-dynamic";
export function GET() {
  return Response.json(openApiDocument());
}
