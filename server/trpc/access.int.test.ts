/**
 * Walks every tRPC procedure and every REST route and proves each refuses an
 * anonymous caller and a caller without its scope; only the procedures listed
 * in PUBLIC are open, on purpose.
 */
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "@/lib/scopes";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { handleFileDownload } from "@/server/modules/batches/console";
import { handleDatasetExport, handleDatasetImport } from "@/server/modules/datasets/http";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject, makeUser } from "@/server/testing/factories";
import type { Meta } from "@/server/trpc/init";
import { openApiDocument } from "@/server/trpc/openapi";
import { EXTRA_ROUTES } from "@/server/trpc/openapi-extra";
import { handleRest } from "@/server/trpc/rest";
import { appRouter } from "@/server/trpc/root";

const PUBLIC = ["health.get"];

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta; type: string } }>,
).map(([path, p]) => ({ path, meta: p._def.meta ?? {}, type: p._def.type }));

let db: Db;
let projectId: string;
let ownerPrincipal: Principal;

withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  const { project, owner } = await makeProject(db);
  projectId = project.id;
  ownerPrincipal = owner.principal;
});

async function call(principal: Principal | null, path: string, project: string | null = projectId) {
  const caller = callerFor(db, principal, project) as unknown as Record<
    string,
    Record<string, (input: unknown) => Promise<unknown>>
  >;
  const [router, name] = path.split(".");
  try {
    await caller[router][name]({});
    return "OK";
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return (error as TRPCError).code;
  }
}

describe("tRPC access walk", () => {
  it("finds the procedures and each declares how it is protected", () => {
    expect(procedures.length).toBeGreaterThan(10);
    for (const p of procedures) {
      const declared = p.meta.access === "public" || p.meta.access === "user" || !!p.meta.scope;
      expect(declared, `${p.path} declares no access rule`).toBe(true);
    }
    expect(procedures.filter((p) => p.meta.access === "public").map((p) => p.path)).toEqual(PUBLIC);
  });

  it.each(procedures.filter((p) => !PUBLIC.includes(p.path)).map((p) => [p.path]))(
    "%s refuses an anonymous caller",
    async (path) => {
      expect(await call(null, path)).toBe("UNAUTHORIZED");
    },
  );

  it.each(procedures.filter((p) => p.meta.scope).map((p) => [p.path, p.meta.scope!]))(
    "%s refuses an API key without %s",
    async (path, scope) => {
      const { principal } = await makeApiKey(
        db,
        projectId,
        SCOPES.filter((s) => s !== scope),
      );
      expect(await call(principal, path)).toBe("FORBIDDEN");
    },
  );

  it.each(procedures.filter((p) => p.meta.scope).map((p) => [p.path]))(
    "%s refuses a signed-in user who is not a member",
    async (path) => {
      const stranger = await makeUser(db);
      expect(await call(stranger.principal, path)).toBe("FORBIDDEN");
    },
  );

  it.each(procedures.filter((p) => p.meta.scope?.endsWith(":write")).map((p) => [p.path]))(
    "%s refuses a viewer",
    async (path) => {
      const viewer = await addMember(db, projectId, "viewer");
      expect(await call(viewer.principal, path)).toBe("FORBIDDEN");
    },
  );

  it("protecting a label declares prompts:protect, which only owners and admins hold", () => {
    expect(procedures.find((p) => p.path === "prompts.protectLabel")?.meta.scope).toBe("prompts:protect");
  });

  it.each(procedures.filter((p) => p.meta.scope === "prompts:protect").map((p) => [p.path]))(
    "%s refuses an editor",
    async (path) => {
      const editor = await addMember(db, projectId, "editor");
      expect(await call(editor.principal, path)).toBe("FORBIDDEN");
    },
  );

  it.each(procedures.filter((p) => p.meta.access === "user").map((p) => [p.path]))(
    "%s (user-only) refuses an API key even with every scope",
    async (path) => {
      const { principal } = await makeApiKey(db, projectId, SCOPES);
      expect(await call(principal, path)).toBe("FORBIDDEN");
    },
  );

  it("an API key cannot reach into another project", async () => {
    const other = await makeProject(db, "Other");
    const { principal } = await makeApiKey(db, projectId, SCOPES);
    expect(await call(principal, "members.list", other.project.id)).toBe("FORBIDDEN");
  });

  it("an owner passes the gate (the walk is not refusing everyone)", async () => {
    expect(await call(ownerPrincipal, "projects.current")).toBe("OK");
    expect(await call(ownerPrincipal, "projects.mine", null)).toBe("OK");
  });
});

describe("REST access walk", () => {
  const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  );
  const scopeOf = (method: string, path: string): string | undefined =>
    procedures.find((p) => p.meta.openapi?.method === method && p.meta.openapi?.path === path)?.meta.scope ??
    EXTRA_ROUTES.find((r) => r.method === method && r.path === path)?.scope;
  // Routes outside trpc-to-openapi have their own handlers, as in app/api/rest/*/route.ts.
  const extraHandlers: Record<string, typeof handleRest> = {
    "/artifacts/upload": handleArtifactUpload,
    "/playground/stream": streamRunResponse,
    "/datasets/import": handleDatasetImport,
    "/datasets/versions/{id}/export": (req, deps) =>
      handleDatasetExport(req, deps, "00000000-0000-4000-8000-000000000000"),
    "/files/{id}/download": (req, deps) => handleFileDownload(req, deps, "file-00000000000000000000000000"),
  };
  const rest = (method: string, path: string, key?: string) => {
    const url = `http://localhost/api/rest${path.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000")}`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key) headers.authorization = `Bearer ${key}`;
    const body = method === "GET" || method === "DELETE" ? undefined : "{}";
    const handler = extraHandlers[path] ?? handleRest;
    return handler(new Request(url, { method, headers, body }), { db, session: async () => null });
  };

  it("documents every procedure that has a REST route", () => {
    expect(routes.length).toBeGreaterThan(8);
    for (const r of routes) expect(scopeOf(r.method, r.path) ?? r.path === "/health").toBeTruthy();
  });

  it.each(routes.filter((r) => r.path !== "/health").map((r) => [r.method, r.path]))(
    "%s %s refuses an anonymous caller with 401",
    async (method, path) => {
      const response = await rest(method, path);
      expect(response.status).toBe(401);
      const body = await response.json();
      expect(body.error.message).toMatch(/Sign in|Bearer/);
    },
  );

  it.each(routes.filter((r) => r.path !== "/health").map((r) => [r.method, r.path]))(
    "%s %s refuses a key without its scope with 403",
    async (method, path) => {
      const scope = scopeOf(method, path)!;
      const { key } = await makeApiKey(
        db,
        projectId,
        SCOPES.filter((s) => s !== scope),
      );
      const response = await rest(method, path, key);
      expect(response.status).toBe(403);
      expect((await response.json()).error.message).toContain(scope);
    },
  );

  it("refuses a revoked key and an unknown key with 401", async () => {
    const { key, row } = await makeApiKey(db, projectId, SCOPES);
    await db.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    const revoked = await rest("GET", "/project", key);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.message).toMatch(/revoked/);
    const unknown = await rest("GET", "/project", "sy_not-a-real-key-0000000000000000");
    expect(unknown.status).toBe(401);
  });

  it("serves /health without credentials", async () => {
    const response = await rest("GET", "/health");
    expect(response.status).toBe(200);
    expect((await response.json()).database.ok).toBe(true);
  });
});
