import { generateOpenApiDocument } from "trpc-to-openapi";
import packageJson from "@/package.json";
import type { Meta } from "@/server/trpc/init";
import { EXTRA_ROUTES } from "@/server/trpc/openapi-extra";
import { appRouter } from "@/server/trpc/root";

let cached: ReturnType<typeof generateOpenApiDocument> | undefined;

function withExtraRoutes(doc: ReturnType<typeof generateOpenApiDocument>) {
  doc.paths ??= {};
  for (const route of EXTRA_ROUTES) {
    doc.paths[route.path] = {
      [route.method.toLowerCase()]: {
        ...route.operation,
        summary: route.summary,
        tags: [route.tag],
        security: [{ bearer: [] }],
      },
    };
  }
  return doc;
}

/** The REST API's OpenAPI 3 document, generated from the tRPC procedures that declare `meta.openapi`. */
export function openApiDocument(baseUrl = "/api/rest") {
  cached ??= withExtraRoutes(
    generateOpenApiDocument(appRouter, {
      title: "Switchyard API",
      version: packageJson.version,
      baseUrl,
      description:
        "The REST form of Switchyard's procedures. Authenticate with `Authorization: Bearer <api key>`; " +
        "keys are created in Settings → API keys and carry scopes.",
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Switchyard API key (sy_…)" } },
    }),
  );
  return cached;
}

export interface RestEndpoint {
  method: string;
  path: string;
  summary: string;
  tag: string;
  /** The scope the caller needs; null for public endpoints. */
  scope: string | null;
  procedure: string;
}

/** The REST endpoints with the scope each requires, for the console's API reference. */
export function restEndpoints(): RestEndpoint[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>;
  return Object.entries(procedures)
    .flatMap(([name, procedure]) => {
      const meta = procedure._def.meta;
      if (!meta?.openapi) return [];
      return [
        {
          method: meta.openapi.method,
          path: `/api/rest${meta.openapi.path}`,
          summary: meta.openapi.summary ?? name,
          tag: meta.openapi.tags?.[0] ?? "Other",
          scope: meta.access === "public" ? null : (meta.scope ?? null),
          procedure: name,
        },
      ];
    })
    .concat(
      EXTRA_ROUTES.map((r) => ({
        method: r.method,
        path: `/api/rest${r.path}`,
        summary: r.summary,
        tag: r.tag,
        scope: r.scope,
        procedure: r.path,
      })),
    )
    .sort((a, b) => a.tag.localeCompare(b.tag) || a.path.localeCompare(b.path));
}
