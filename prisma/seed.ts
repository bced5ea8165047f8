/** `npm run db:seed`: the first-run admin, demo organisation and project, on DATABASE_URL. */
import { createDb } from "@/server/db";
import { env } from "@/server/env";
import { bootstrapAdmin } from "@/server/modules/users/service";

const config = env();
if (!config.DATABASE_URL || !config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) {
  console.error("Set DATABASE_URL, ADMIN_EMAIL and ADMIN_PASSWORD");
  process.exit(2);
}
const db = createDb(config.DATABASE_URL);
const result = await bootstrapAdmin({ db }, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
console.log(JSON.stringify(result, null, 2));
await db.$disconnect();
