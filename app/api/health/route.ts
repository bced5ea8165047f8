import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { healthResponse } from "@/server/modules/health/service";

export const dynamic = "force-dynamic";
/** Public; a signed-in caller also sees loaded models' registry names. */
export const GET = async () =>
  healthResponse({ db: db() }, { names: (await sessionPrincipal().catch(() => null)) !== null });
