// The driver adapter the WebAssembly schema engine talks to Postgres through.
// It is @prisma/adapter-pg with three corrections the engine needs (measured
// with adapter-pg 7.10.0):
// 1. adapter-pg's executeScript splits the script on ";" and runs the pieces
//    one by one, which breaks `$$` function bodies and string literals and
//    leaves half-applied migrations behind. We send the whole script as one
//    parameterless query instead: Postgres's simple-query protocol runs it as
//    one implicit transaction, as the native engine does.
// 2. adapter-pg rejects the catalog type "char" (oid 18: pg_constraint.contype,
//    confdeltype, ...) that the engine's schema describer selects, so every
//    diff that reads a database failed with "Column type 'char' could not be
//    deserialized". Reporting it as text is not enough: the describer reads
//    contype as a char and panics on text (seen on Postgres 18, whose NOT NULL
//    constraints appear in pg_constraint). We let adapter-pg see text, then
//    tell the engine those columns are Character.
// 3. adapter-pg's connectToShadowDb never closes the pool it opens to create
//    the shadow database. We create and drop shadow databases ourselves, and
//    close() ends every pool this factory opened.
import { PrismaPg } from "@prisma/adapter-pg";
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import { createDatabase, databaseUrl, dropDatabase } from "./admin";

const TEXT_OID = 25;
const CHAR_OID = 18;

// Result rows -> indexes of their "char" columns. adapter-pg returns pg's own
// rows array, so the array links the pg result to the adapter's result.
const charColumnsOf = new WeakMap<unknown[], number[]>();

function retypeCharColumns<T>(result: T): T {
  const { fields, rows } = (result ?? {}) as { fields?: { dataTypeID: number }[]; rows?: unknown[] };
  const indexes: number[] = [];
  fields?.forEach((field, index) => {
    if (field.dataTypeID === CHAR_OID) {
      field.dataTypeID = TEXT_OID; // pg already parsed the value as a string
      indexes.push(index);
    }
  });
  if (indexes.length > 0 && rows) charColumnsOf.set(rows, indexes);
  return result;
}

/** A pool whose clients hand catalog "char" columns to adapter-pg as text (correction 2). */
function enginePool(url: string): pg.Pool {
  // One connection: the engine takes a session-level advisory lock while it
  // applies migrations, which only works if every query uses the same session.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on("error", () => {}); // an idle client losing its server must not crash the process
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        // pool.query() hands its clients a callback instead of awaiting.
        args[args.length - 1] = (error: unknown, result: unknown) => callback(error, retypeCharColumns(result));
        return query(...args);
      }
      const pending = query(...args);
      return pending instanceof Promise ? pending.then(retypeCharColumns) : pending;
    };
  });
  return pool;
}

/** Wraps an adapter: "char" columns typed (2), scripts run whole (1), extra cleanup on dispose. */
function wholeScriptAdapter(adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: async (query) => {
      const result = await adapter.queryRaw(query);
      for (const index of charColumnsOf.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
      return result;
    },
    executeRaw: (query) => adapter.executeRaw(query),
    // No parameters -> pg uses the simple-query protocol, which accepts many statements.
    executeScript: async (script) => {
      await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
    },
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: adapter.getConnectionInfo ? () => adapter.getConnectionInfo!() : undefined,
    dispose: async () => {
      await adapter.dispose();
      await afterDispose?.();
    },
  };
}

export interface EngineAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Ends every pool this factory opened and drops any shadow database left. */
  close(): Promise<void>;
}

/**
 * @param url the database the engine works on.
 * @param shadowServerUrl where throwaway shadow databases may be created
 *   (defaults to the server of `url`).
 */
export function createEngineAdapterFactory(url: string, shadowServerUrl = url): EngineAdapterFactory {
  const pools = new Set<pg.Pool>();
  const shadows = new Set<string>();

  const open = async (target: string, afterDispose?: () => Promise<void>) => {
    const pool = enginePool(target);
    pools.add(pool);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return wholeScriptAdapter(adapter, async () => {
      pools.delete(pool);
      await afterDispose?.();
    });
  };

  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => open(url),
    async connectToShadowDb() {
      const name = `prisma_shadow_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      await createDatabase(shadowServerUrl, name);
      shadows.add(name);
      return open(databaseUrl(shadowServerUrl, name), async () => {
        shadows.delete(name);
        await dropDatabase(shadowServerUrl, name);
      });
    },
    async close() {
      await Promise.allSettled([...pools].map((pool) => pool.end()));
      pools.clear();
      await Promise.allSettled([...shadows].map((name) => dropDatabase(shadowServerUrl, name)));
      shadows.clear();
    },
  };
}
