/**
 * Bad input never gets a 5xx: every REST operation of the OpenAPI document
 * (and the tRPC endpoint) is sent requests generated from its own parameter
 * and body schemas, mutated at any depth (wrong types, missing fields, huge
 * strings, unicode, NUL bytes, lone surrogates, malformed `%` escapes),
 * against a real PostgreSQL. A 5xx fails with the request that caused it.
 * The seed is fixed (FUZZ_SEED explores others); numRuns keeps it well under a minute.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { handleDatasetExport, handleDatasetImport } from "@/server/modules/datasets/http";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import {
  describeRequest,
  FUZZ_SEED,
  fuzzedBody,
  fuzzedComponent,
  fuzzedValue,
  junkValue,
  nastyString,
  type SchemaArbitraryOptions,
} from "@/server/testing/fuzz";
import { handleTrpc } from "@/server/trpc/http";
import { openApiDocument } from "@/server/trpc/openapi";
import { handleRest } from "@/server/trpc/rest";

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 40);

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: "path" | "query";
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

let db: Db;
let key: string;
const knownIds: string[] = [];
const knownNames = ["fuzz-model", "fuzz-prompt", "fuzz-route", "fuzz-experiment", "production", "control", "converted"];
withTestDatabase((created, url) => {
  db = created;
  // Endpoints that read the request log do so through the process's own pool, on DATABASE_URL.
  process.env.DATABASE_URL = url;
});

beforeAll(async () => {
  const { project, owner } = await makeProject(db, "Fuzz");
  key = (await makeApiKey(db, project.id)).key;
  // Rows of every kind, so generated ids sometimes name one and requests get past the lookups.
  const caller = callerFor(db, owner.principal, project.id);
  const model = await caller.models.create({ name: "fuzz-model", provider: "openai-compatible", task: "chat" });
  // Never called: the fuzz stops at validation or the registry. Not loopback, which upstream checks may refuse.
  await caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: "https://upstream.example.com/v1",
    upstreamModelId: "m",
  });
  const prompt = await caller.prompts.create({ name: "fuzz-prompt", type: "text", template: "Hi {{ name }}" });
  const route = await caller.routes.create({ name: "fuzz-route", source: "deployments:\n  - model: fuzz-model\n" });
  const experiment = await caller.experiments.create({
    name: "fuzz-experiment",
    promptId: prompt.promptId,
    metrics: [{ name: "converted", kind: "rate" }],
    variants: [
      { key: "control", name: "Control", weight: 50, isControl: true, promptVersion: 1 },
      { key: "treatment", name: "Treatment", weight: 50, promptVersion: 1 },
    ],
  });
  await caller.experiments.start({ id: experiment.id });
  knownIds.push(model.id, prompt.promptId, route.routeId, experiment.id, owner.user.id);
});

const doc = openApiDocument() as unknown as Schema & { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
  Object.entries(byMethod).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
);

/** Routes served outside trpc-to-openapi, each by its own handler (as app/api/rest/** mounts them). */
function serve(path: string, req: Request): Promise<Response> {
  const deps = { db, session: async () => null };
  if (path === "/artifacts/upload") return handleArtifactUpload(req, deps);
  if (path === "/datasets/import") return handleDatasetImport(req, deps);
  if (path === "/playground/stream") return streamRunResponse(req, deps);
  if (path === "/datasets/versions/{id}/export") {
    const raw = new URL(req.url).pathname.split("/").at(-2) ?? "";
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // Next answers a path it cannot decode itself; what reaches the handler is decoded.
      return Promise.resolve(new Response(null, { status: 400 }));
    }
    return handleDatasetExport(req, deps, id);
  }
  return handleRest(req, deps);
}

interface Generated {
  url: string;
  body?: string;
  contentType?: string;
}

function requestFor(method: string, path: string, operation: Operation): fc.Arbitrary<Generated> {
  const options: SchemaArbitraryOptions = { doc, knownIds, knownNames };
  const params = operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const pathArb = fc
    .tuple(...pathParams.map((p) => fuzzedComponent(fuzzedValue(p.schema ?? {}, options))))
    .map((values) => pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i]), path));
  const queryArb = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(fuzzedComponent(fuzzedValue(p.schema ?? {}, options)).map((v) => `${p.name}=${v}`)),
      ),
      fc.option(fuzzedComponent(nastyString).map((v) => `extra=${v}`)),
    )
    .map((pairs) => pairs.filter((p): p is string => p !== null).join("&"));
  const content = operation.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  const bodyArb: fc.Arbitrary<Pick<Generated, "body" | "contentType">> = content["multipart/form-data"]
    ? fc.record({
        body: fc.oneof(
          nastyString,
          fc.constant('--b\r\ncontent-disposition: form-data; name="files"\r\n\r\nx\r\n--b--'),
        ),
        contentType: fc.constantFrom(
          "multipart/form-data",
          "multipart/form-data; boundary=",
          "multipart/form-data; boundary=b",
          "multipart/form-data; boundary=\u00e9",
          "text/plain",
        ),
      })
    : content["application/jsonl"]
      ? fc.record({
          body: fc
            .array(
              junkValue.map((v) => JSON.stringify(v) ?? ""),
              { maxLength: 5 },
            )
            .map((l) => l.join("\n")),
          contentType: fc.constantFrom("application/jsonl", "text/plain"),
        })
      : method === "GET" || method === "DELETE"
        ? fc.constant({})
        : fc.record({
            body: fuzzedBody(jsonSchema, options),
            contentType: fc.constantFrom("application/json", "application/json", "application/json", "text/plain"),
          });
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb }).map(({ path: p, query, body }) => ({
    url: `http://localhost/api/rest${p}${query ? `?${query}` : ""}`,
    ...body,
  }));
}

describe("REST: no bad input is answered with a 5xx", () => {
  it("walks every operation of the OpenAPI document", () => {
    expect(operations.length).toBeGreaterThan(60);
  });

  for (const { method, path, operation } of operations) {
    it(`${method} ${path}`, async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(method, path, operation), async ({ url, body, contentType }) => {
          const headers: Record<string, string> = { authorization: `Bearer ${key}` };
          if (contentType) headers["content-type"] = contentType;
          const response = await serve(path, new Request(url, { method, body, headers }));
          const text = await response.text();
          if (response.status >= 500)
            throw new Error(`${response.status} for ${describeRequest(method, url, body)}: ${text.slice(0, 300)}`);
        }),
        { numRuns: RUNS_PER_OPERATION, seed: FUZZ_SEED, endOnFailure: true },
      );
    });
  }
});

describe("tRPC: no bad input is answered with a 5xx", () => {
  const procedures = ["models.get", "models.update", "prompts.preview", "experiments.recordOutcomes", "routes.update"];
  it("queries and mutations with fuzzed input and malformed paths", async () => {
    const request = fc.record({
      procedure: fc.oneof(
        fc.constantFrom(...procedures),
        fuzzedComponent(nastyString),
        fc.constantFrom("models.get%zz", "%E0%A4%A", "models.get,%", "models.list%00"),
      ),
      input: fuzzedComponent(junkValue.map((v) => JSON.stringify({ json: v }))),
      post: fc.boolean(),
      body: fuzzedBody(undefined, { doc, knownIds, knownNames }),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ procedure, input, post, body }) => {
        const url = `http://localhost/api/trpc/${procedure}${post ? "" : `?input=${input}`}`;
        const method = post ? "POST" : "GET";
        const response = await handleTrpc(
          new Request(url, {
            method,
            body: post ? body : undefined,
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          }),
          { db, session: async () => null },
        );
        const text = await response.text();
        if (response.status >= 500)
          throw new Error(`${response.status} for ${describeRequest(method, url, body)}: ${text.slice(0, 300)}`);
      }),
      { numRuns: 200, seed: FUZZ_SEED, endOnFailure: true },
    );
  });
});
