import { db } from "@/server/db";
import { healthResponse } from "@/server/modules/health/service";

export const dynamic = "force-dynamic";
export const GET = () => healthResponse({ db: db() });
