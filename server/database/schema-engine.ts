// Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm, the version
// @prisma/internals 7.10.0 pins), driven through our Postgres adapter. The
// Prisma 7 CLI's migrate commands need a native engine binary that cannot be
// downloaded here; this is the same Rust engine, so it writes the standard
// `_prisma_migrations` table with the same checksums.
// Heavy (a 5 MB wasm module): import it only from the CLI and tests, never
// from request-serving code (see migrations.ts for the lazy import).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { createEngineAdapterFactory } from "./engine-adapter";
import { LOCKFILE_CONTENT, MIGRATION_FILE, readLockfile, readMigrations } from "./migration-files";

// No tables or enums are managed outside Prisma (yet).
export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

let loaded = false;
// A Rust panic leaves the wasm instance unusable and the panicking call's
// promise never settles. We fail the calls in flight with the panic message,
// and every later call at once.
let panic: Error | undefined;
const inFlight = new Set<(error: Error) => void>();

function onPanic(message: string): never {
  panic = new Error(`Prisma schema engine panicked (restart the process): ${message}`);
  for (const reject of inFlight) reject(panic);
  inFlight.clear();
  throw panic;
}

/**
 * The engine arms a 10 s timer around its database work and never clears it
 * (the bindings import setTimeout but not clearTimeout), which kept every
 * process alive 10 s after its last engine call. Unref'd timers still fire;
 * they just don't hold the process open.
 */
function withUnrefTimers(imports: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const patched: WebAssembly.ModuleImports = { ...imports };
  for (const name of Object.keys(imports).filter((key) => key.startsWith("__wbg_setTimeout_"))) {
    patched[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  return patched;
}

/**
 * Instantiates the wasm module once per process. The package's own entry does
 * `import * as wasm from "./schema_engine_bg.wasm"`, which Node only supports
 * behind --experimental-wasm-modules, so we wire the bindings by hand exactly
 * as that entry would.
 */
function loadEngineModule(): void {
  if (loaded) return;
  // Prisma tooling must never try its update/telemetry check (no network here).
  process.env.CHECKPOINT_DISABLE ??= "1";
  const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
  const wasmModule = new WebAssembly.Module(readFileSync(path.join(path.dirname(entry), "schema_engine_bg.wasm")));
  const imports = { "./schema_engine_bg.js": withUnrefTimers(bindings as unknown as WebAssembly.ModuleImports) };
  const instance = new WebAssembly.Instance(wasmModule, imports);
  (bindings as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  // The bindings report panics to this global. Prisma's client installs its
  // own when it loads; do not replace one that is already there.
  const global = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
  global.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: onPanic };
  loaded = true;
}

/** The engine with every async method failing fast once a panic happened. */
function guarded(engine: SchemaEngine): SchemaEngine {
  return new Proxy(engine, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (panic) return Promise.reject(panic);
        const result = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return new Promise((resolve, reject) => {
          inFlight.add(reject);
          result.then(resolve, reject).finally(() => inFlight.delete(reject));
        });
      };
    },
  });
}

export interface EngineSession {
  engine: SchemaEngine;
  close(): Promise<void>;
}

/**
 * Opens an engine on `databaseUrl`. Shadow databases (for diffs from the
 * migration history) are created on `shadowServerUrl`, default the same server.
 * Always close() it: it owns connection pools. DEBUG=schema-engine prints the
 * engine's own log lines.
 */
export async function openSchemaEngine(
  databaseUrl: string,
  options: { schema?: string; shadowServerUrl?: string } = {},
): Promise<EngineSession> {
  if (panic) throw panic;
  loadEngineModule();
  const factory = createEngineAdapterFactory(databaseUrl, options.shadowServerUrl);
  const datamodels: [string, string][] | undefined = options.schema ? [["schema.prisma", options.schema]] : undefined;
  const log = process.env.DEBUG?.includes("schema-engine") ? (line: string) => console.error(line) : () => {};
  let engine: SchemaEngine;
  try {
    engine = await bindings.SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
  } catch (error) {
    await factory.close();
    throw error;
  }
  return {
    engine: guarded(engine),
    async close() {
      if (!panic) engine.free();
      await factory.close();
    },
  };
}

/** The engine's view of a migrations folder (what Prisma's CLI passes it). */
export async function loadMigrationList(migrationsDir: string): Promise<MigrationList> {
  const migrations = await readMigrations(migrationsDir);
  return {
    baseDir: migrationsDir,
    // The engine refuses to diff from a history without a lockfile; a folder
    // that has none yet (before the first migration) is Postgres by definition.
    lockfile: { path: "migration_lock.toml", content: (await readLockfile(migrationsDir)) ?? LOCKFILE_CONTENT },
    shadowDbInitScript: "",
    migrationDirectories: migrations.map((migration) => ({
      path: migration.name,
      migrationFile: {
        path: MIGRATION_FILE,
        content:
          migration.sql === null
            ? { tag: "error", value: `${MIGRATION_FILE} is missing or unreadable` }
            : { tag: "ok", value: migration.sql },
      },
    })),
  };
}
