/**
 * REST routes served outside trpc-to-openapi (multipart upload, SSE stream),
 * described here so the OpenAPI document, the API reference page and the
 * access walk test all know them.
 */
export const EXTRA_ROUTES = [
  {
    method: "POST",
    path: "/artifacts/upload",
    tag: "Artifacts",
    scope: "models:write",
    summary: "Upload an ONNX model folder (multipart, one 'files' part per file)",
    operation: {
      operationId: "artifacts-upload",
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              properties: { files: { type: "array", items: { type: "string", format: "binary" } } },
              required: ["files"],
            },
          },
        },
      },
      responses: {
        "201": { description: "Stored and inspected" },
        "200": { description: "The same files were already stored" },
        "422": { description: "Not a loadable ONNX causal LM with a tokenizer; nothing kept" },
      },
    },
  },
  {
    method: "POST",
    path: "/playground/stream",
    tag: "Playground",
    scope: "playground:run",
    summary: "Generate with a model version as Server-Sent Events (delta, done, error)",
    operation: {
      operationId: "playground-stream",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["model", "input"],
              properties: {
                model: { type: "string", description: "version id, name, name@alias or name@3" },
                input: { type: "object", description: "{ messages: [{role, content}] } or { prompt }" },
                params: { type: "object" },
                playgroundRunId: { type: "string" },
                slot: { type: "integer" },
              },
            },
          },
        },
      },
      responses: { "200": { description: "text/event-stream of delta, then done or error events" } },
    },
  },
  {
    method: "POST",
    path: "/datasets/import",
    tag: "Datasets",
    scope: "datasets:write",
    summary:
      "Import a JSONL file (streamed body) as a new dataset version; ?name|datasetId, format, mode=strict|lenient, maxRejectedFraction",
    operation: {
      operationId: "datasets-import",
      parameters: [
        { name: "name", in: "query", description: "A new dataset's name", schema: { type: "string" } },
        {
          name: "datasetId",
          in: "query",
          description: "Or the dataset to add a version to",
          schema: { type: "string", format: "uuid" },
        },
        {
          name: "format",
          in: "query",
          schema: { type: "string", enum: ["auto", "chat", "completion"], default: "auto" },
        },
        { name: "mode", in: "query", schema: { type: "string", enum: ["strict", "lenient"], default: "strict" } },
        {
          name: "maxRejectedFraction",
          in: "query",
          description: "Lenient mode: the largest share of rejected lines (0-1); above it nothing is stored",
          schema: { type: "number", minimum: 0, maximum: 1, default: 0.1 },
        },
        {
          name: "tokenizer",
          in: "query",
          description: "A local model whose tokenizer counts tokens",
          schema: { type: "string" },
        },
        { name: "maxTokens", in: "query", schema: { type: "integer", minimum: 1, default: 16385 } },
      ],
      requestBody: {
        required: true,
        content: { "application/jsonl": { schema: { type: "string", format: "binary" } } },
      },
      responses: {
        "201": { description: "The new version" },
        "422": {
          description:
            "Refused, nothing stored: error.errors and error.warnings (line-numbered, the first 100 of each), errorCount, warningCount, truncated",
        },
      },
    },
  },
  {
    method: "GET",
    path: "/datasets/versions/{id}/export",
    tag: "Datasets",
    scope: "datasets:read",
    summary: "Export a version (or ?split=train|validation) as OpenAI chat JSONL, streamed",
    operation: {
      operationId: "datasets-export",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      responses: { "200": { description: "application/jsonl" } },
    },
  },
  {
    method: "GET",
    path: "/files/{id}/download",
    tag: "Batches",
    scope: "jobs:read",
    summary: "Download a stored file (batch input, output or errors), streamed as an attachment",
    operation: {
      operationId: "files-download",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": { description: "The file's bytes" },
        "404": { description: "Not in this project, or deleted" },
      },
    },
  },
] as const;
