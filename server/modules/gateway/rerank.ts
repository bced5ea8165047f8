/**
 * POST /v1/rerank, in the shape Cohere's rerank, Jina and LiteLLM share: `{model, query, documents: (string |
 * {text})[], top_n?, return_documents?}` -> `{id, results: [{index, relevance_score, document?: {text}}], model,
 * usage: {total_tokens}}`, results ordered by score, best first. Served by local cross-encoders (`onnx_local`
 * models registered with task `classification`); `relevance_score` is the sigmoid of the pair's logit, as
 * sentence-transformers' CrossEncoder and Hugging Face TEI report it.
 */
import { decryptSecret } from "@/server/crypto/secrets";
import { DomainError } from "@/server/errors";
import { upstreamSettings } from "@/server/modules/providers/config";
import { OpenAIRerankClient } from "@/server/modules/providers/openai-rerank";
import { rerankLocal } from "@/server/modules/runs/local-encoder";
import type { CompletionDeps } from "./completion-deps";
import { type GatewayHttpRequest, linkedAbort } from "./http-request";
import { jsonResponse } from "./json-response";
import { finishLocal, localArtifact } from "./local-embeddings";
import type { GatewayRequest } from "./request-scope";
import { resolveModelVersion, type ServedVersion } from "./target";
import { estimateEmbeddings } from "./usage-estimate";
import { type SwitchyardInfo, switchyardHeaders } from "./wire";

/** Cohere's advice: at most 1,000 documents per request. */
const MAX_DOCUMENTS = 1000;

const invalid = (param: string, message: string) =>
  new DomainError("VALIDATION", `${param}: ${message}`, [{ path: param, message }]);

interface RerankBody {
  model: string;
  query: string;
  documents: string[];
  topN: number | null;
  returnDocuments: boolean;
}

/** The fields the gateway acts on, checked precisely; unknown fields are ignored. */
function checkRerankBody(raw: Record<string, unknown>): RerankBody {
  const { model, query, documents, top_n: topN, return_documents: returnDocuments } = raw;
  if (typeof model !== "string" || !model.trim()) throw invalid("model", "model is required");
  if (model.length > 300) throw invalid("model", "model is longer than 300 characters");
  if (typeof query !== "string" || !query) throw invalid("query", "query must be a non-empty string");
  if (!Array.isArray(documents)) throw invalid("documents", "documents must be an array of strings or {text} objects");
  if (documents.length === 0) throw invalid("documents", "documents must not be empty");
  if (documents.length > MAX_DOCUMENTS) throw invalid("documents", `documents may hold at most ${MAX_DOCUMENTS} items`);
  const texts = documents.map((document, i) => {
    if (typeof document === "string") return document;
    const text = (document as { text?: unknown } | null)?.text;
    if (typeof text === "string") return text;
    throw invalid(`documents.${i}`, "a document must be a string or an object with a string `text`");
  });
  if (topN != null && (!Number.isSafeInteger(topN) || (topN as number) < 1))
    throw invalid("top_n", "top_n must be a positive integer");
  if (returnDocuments != null && typeof returnDocuments !== "boolean")
    throw invalid("return_documents", "return_documents must be a boolean");
  return {
    model: model.trim(),
    query,
    documents: texts,
    topN: (topN as number | null | undefined) ?? null,
    returnDocuments: returnDocuments === true,
  };
}

/** Why a version cannot rerank, or null: Anthropic has no rerank API; the model must be registered with task `classification`. */
function refusal(version: ServedVersion): string | null {
  const label = `${version.model.name}@${version.version}`;
  if (version.model.provider === "anthropic") return `'${label}' is served by Anthropic, which has no rerank API`;
  if (version.model.task !== "classification")
    return `'${label}' is a ${version.model.task} model; /v1/rerank serves models registered with task 'classification'`;
  return null;
}

export async function serveRerank(deps: CompletionDeps, scope: GatewayRequest, req: GatewayHttpRequest) {
  const raw = await scope.readBody(req, deps.maxBodyBytes);
  const body = checkRerankBody(raw);
  scope.keepRequestBody(raw);
  if (body.model.startsWith("prompt:") || body.model.startsWith("experiment:"))
    throw invalid("model", "prompts and experiments generate text; /v1/rerank takes a registry model");
  const version = await resolveModelVersion(deps.db, scope.entry.projectId, body.model);
  scope.entry.modelId = version.model.id;
  scope.entry.modelVersionId = version.id;
  const refused = refusal(version);
  if (refused) throw new DomainError("BAD_REQUEST", refused, [{ path: "model", message: refused }]);
  // A limited key reserves the query once per document (each pair is one forward) plus the documents.
  if (scope.keyLimits)
    await scope.keyLimits.reserve(
      estimateEmbeddings(
        version,
        body.documents.flatMap((d) => [body.query, d]),
      ),
    );
  const info: SwitchyardInfo = {
    model: version.model.name,
    modelVersion: `${version.model.name}@${version.version}`,
    promptVersion: null,
    experiment: null,
    variant: null,
    requestId: scope.id,
  };
  if (version.model.provider !== "onnx_local") return serveUpstream(scope, req, version, raw, info);

  const { controller, release } = linkedAbort(req);
  let result: Awaited<ReturnType<typeof rerankLocal>>;
  try {
    result = await rerankLocal(localArtifact(version), body.query, body.documents, controller.signal);
  } finally {
    release();
  }
  const order = result.scores.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score);
  const results = order.slice(0, body.topN ?? order.length).map(({ index, score }) => ({
    index,
    relevance_score: score,
    ...(body.returnDocuments ? { document: { text: body.documents[index] } } : {}),
  }));
  const run = { device: result.device, durationMs: result.durationMs, tokens: result.tokens };
  const usage = { total_tokens: result.tokens };
  finishLocal(scope, version, run, { results: results.length, usage });
  return jsonResponse(
    { id: scope.id, results, model: info.modelVersion, usage, meta: { billed_units: usage }, switchyard: info },
    { headers: switchyardHeaders(info) },
  );
}

/** Clients per (endpoint, key ciphertext): building one decrypts the key, which a request should not pay for. */
const clients = new Map<string, OpenAIRerankClient>();

/** An OpenAI-compatible upstream's `/rerank`: the body as sent with `model` rewritten, the answer as it came back. */
async function serveUpstream(
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  version: ServedVersion,
  raw: Record<string, unknown>,
  info: SwitchyardInfo,
) {
  const key = `${version.endpointBaseUrl}\u0000${version.apiKeyCiphertext ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new OpenAIRerankClient({
      baseUrl: version.endpointBaseUrl!,
      apiKey: version.apiKeyCiphertext ? decryptSecret(version.apiKeyCiphertext) : undefined,
    });
    if (clients.size >= 1_000) clients.clear();
    clients.set(key, client);
  }
  const { controller, release } = linkedAbort(req);
  let result: Awaited<ReturnType<OpenAIRerankClient["rerank"]>>;
  try {
    result = await client.rerank(Object.assign({}, raw, { model: version.upstreamModelId }), {
      signal: controller.signal,
      timeoutMs: upstreamSettings().wholeAnswerTimeoutMs,
      requester: scope.requester,
    });
  } finally {
    release();
  }
  const price = version.model.priceInputPerMTok?.toNumber() ?? 0;
  scope.finish({
    status: 200,
    deployment: `upstream:${client.host}`,
    tokensIn: result.tokens,
    tokensOut: 0,
    costUsd: (price * result.tokens) / 1_000_000,
    responseBody: { results: (result.body.results as unknown[]).length, usage: result.body.usage ?? null },
  });
  return jsonResponse(Object.assign({}, result.body, { model: info.modelVersion, switchyard: info }), {
    headers: switchyardHeaders(info),
  });
}
