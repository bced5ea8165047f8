// Runs `prisma generate` offline. Prisma's CLI wants a schema-engine binary it
// would download; generate never runs it, so point it at a file that exits
// non-zero (never /bin/true: migrate commands would then "succeed" silently).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
if (!existsSync(path.join(root, "prisma/schema.prisma"))) process.exit(0);
const stub = path.join(root, "node_modules/.cache/switchyard/no-schema-engine");
mkdirSync(path.dirname(stub), { recursive: true });
writeFileSync(stub, "#!/bin/sh\necho 'native schema engine unavailable: use npm run db:migrate' >&2\nexit 1\n");
chmodSync(stub, 0o755);
const result = spawnSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
process.exit(result.status ?? 1);
