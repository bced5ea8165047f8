/**
 * POST /v1/embeddings: a local encoder (`onnx_local`, task `embedding`) run by the in-process engine, or a
 * pass-through to the model version's OpenAI-compatible upstream. The body goes out as the
 * client sent it with `model` rewritten to the upstream's model name (unknown fields untouched); the answer comes
 * back as the upstream sent it, with `model` and `switchyard` saying which version served, like chat completions.
 * Routes, pipelines and the response cache do not apply here.
 */
import { decryptSecret } from "@/server/crypto/secrets";
import { DomainError } from "@/server/errors";
import { upstreamSettings } from "@/server/modules/providers/config";
import { OpenAIEmbeddingsClient } from "@/server/modules/providers/openai-embeddings";
import { embedLocal } from "@/server/modules/runs/local-encoder";
import type { CompletionDeps } from "./completion-deps";
import { type GatewayHttpRequest, linkedAbort } from "./http-request";
import { jsonResponse } from "./json-response";
import { finishLocal, localArtifact, toBase64 } from "./local-embeddings";
import type { GatewayRequest } from "./request-scope";
import { resolveModelVersion, type ServedVersion } from "./target";
import { estimateEmbeddings } from "./usage-estimate";
import { type SwitchyardInfo, switchyardHeaders } from "./wire";

/** OpenAI's limit on inputs per request. */
const MAX_INPUTS = 2048;

const invalid = (param: string, message: string) =>
  new DomainError("VALIDATION", `${param}: ${message}`, [{ path: param, message }]);

const isTokenId = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * What the gateway acts on, checked precisely (everything else passes through untouched). Batch input files are
 * checked with it at upload (server/modules/files/batch-lines.ts).
 */
export function checkEmbeddingsBody(raw: Record<string, unknown>): { model: string; user: string | null } {
  const model = raw.model;
  if (typeof model !== "string" || !model.trim()) throw invalid("model", "model is required");
  if (model.length > 300) throw invalid("model", "model is longer than 300 characters");
  checkInput(raw.input);
  const format = raw.encoding_format;
  if (format != null && format !== "float" && format !== "base64")
    throw invalid("encoding_format", "encoding_format must be 'float' or 'base64'");
  const dimensions = raw.dimensions;
  if (dimensions != null && (!Number.isSafeInteger(dimensions) || (dimensions as number) < 1))
    throw invalid("dimensions", "dimensions must be a positive integer");
  const user = raw.user;
  if (user != null && (typeof user !== "string" || user.length > 200))
    throw invalid("user", "user must be a string of at most 200 characters");
  return { model: model.trim(), user: (user as string | null | undefined) || null };
}

/** A string, an array of strings, an array of token ids, or an array of token-id arrays; nothing empty. */
function checkInput(input: unknown) {
  const shape = "input must be a string, an array of strings, an array of token ids or an array of token-id arrays";
  if (input === undefined || input === null) throw invalid("input", "input is required");
  if (typeof input === "string") {
    if (!input) throw invalid("input", "input must not be an empty string");
    return;
  }
  if (!Array.isArray(input)) throw invalid("input", shape);
  if (input.length === 0) throw invalid("input", "input must not be an empty array");
  if (input.length > MAX_INPUTS) throw invalid("input", `input may hold at most ${MAX_INPUTS} items`);
  const first = input[0];
  if (typeof first === "string") {
    input.forEach((item, i) => {
      if (typeof item !== "string") throw invalid(`input.${i}`, "every item must be a string, like the first");
      if (!item) throw invalid(`input.${i}`, "an input string must not be empty");
    });
  } else if (isTokenId(first)) {
    input.forEach((item, i) => {
      if (!isTokenId(item)) throw invalid(`input.${i}`, "every item must be a non-negative integer token id");
    });
  } else if (Array.isArray(first)) {
    input.forEach((item, i) => {
      if (!Array.isArray(item) || item.length === 0)
        throw invalid(`input.${i}`, "every item must be a non-empty array of token ids");
      const bad = item.findIndex((token) => !isTokenId(token));
      if (bad >= 0) throw invalid(`input.${i}.${bad}`, "a token id must be a non-negative integer");
    });
  } else throw invalid("input.0", shape);
}

/** Why a version cannot embed, or null when it can (an OpenAI-compatible upstream registered for embeddings). */
function refusal(version: ServedVersion): string | null {
  const label = `${version.model.name}@${version.version}`;
  if (version.model.provider === "anthropic") return `'${label}' is served by Anthropic, which has no embeddings API`;
  if (version.model.task !== "embedding")
    return `'${label}' is a ${version.model.task} model; /v1/embeddings serves models registered with task 'embedding'`;
  return null;
}

/** Clients per (endpoint, key ciphertext): building one decrypts the key, which a request should not pay for. */
const clients = new Map<string, OpenAIEmbeddingsClient>();
const MAX_CLIENTS = 1_000;

function clientFor(version: ServedVersion): OpenAIEmbeddingsClient {
  const key = `${version.endpointBaseUrl}\u0000${version.apiKeyCiphertext ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = new OpenAIEmbeddingsClient({
      baseUrl: version.endpointBaseUrl!,
      apiKey: version.apiKeyCiphertext ? decryptSecret(version.apiKeyCiphertext) : undefined,
    });
    if (clients.size >= MAX_CLIENTS) clients.clear();
    clients.set(key, client);
  }
  return client;
}

/** Prices per cached model row (Decimal's toNumber() is not free). */
const inputPrices = new WeakMap<ServedVersion["model"], number>();

function costOf(version: ServedVersion, promptTokens: number): number {
  let price = inputPrices.get(version.model);
  if (price === undefined) {
    price = version.model.priceInputPerMTok?.toNumber() ?? 0;
    inputPrices.set(version.model, price);
  }
  return (price * promptTokens) / 1_000_000;
}

export async function serveEmbeddings(
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
): Promise<Response> {
  const raw = await scope.readBody(req, deps.maxBodyBytes);
  const { model, user } = checkEmbeddingsBody(raw);
  scope.entry.userId = user;
  scope.keepRequestBody(raw);
  if (model.startsWith("prompt:") || model.startsWith("experiment:"))
    throw invalid("model", "prompts and experiments generate text; /v1/embeddings takes a registry model");

  const version = await resolveModelVersion(deps.db, scope.entry.projectId, model);
  scope.entry.modelId = version.model.id;
  scope.entry.modelVersionId = version.id;
  const refused = refusal(version);
  if (refused) throw new DomainError("BAD_REQUEST", refused, [{ path: "model", message: refused }]);
  if (scope.keyLimits) await scope.keyLimits.reserve(estimateEmbeddings(version, raw.input));
  if (version.model.provider === "onnx_local") return serveLocal(scope, req, version, raw);

  const client = clientFor(version);
  const { controller, release } = linkedAbort(req);
  let result: Awaited<ReturnType<OpenAIEmbeddingsClient["embed"]>>;
  try {
    result = await client.embed(Object.assign({}, raw, { model: version.upstreamModelId }), {
      signal: controller.signal,
      timeoutMs: upstreamSettings().wholeAnswerTimeoutMs,
      requester: scope.requester,
    });
  } finally {
    release();
  }

  const info = infoOf(version, scope);
  const { body, promptTokens } = result;
  const data = body.data as unknown[];
  scope.finish({
    status: 200,
    deployment: `upstream:${client.host}`,
    tokensIn: promptTokens,
    tokensOut: 0,
    costUsd: costOf(version, promptTokens),
    // The vectors are not worth their bytes in the log: how many came back, and the usage.
    responseBody: { embeddings: data.length, usage: body.usage ?? null },
  });
  // The upstream's answer as it sent it; `model` names the version that served, as chat completions do.
  return jsonResponse(Object.assign({}, body, { model: info.modelVersion, switchyard: info }), {
    headers: switchyardHeaders(info),
  });
}

function infoOf(version: ServedVersion, scope: GatewayRequest): SwitchyardInfo {
  return {
    model: version.model.name,
    modelVersion: `${version.model.name}@${version.version}`,
    promptVersion: null,
    experiment: null,
    variant: null,
    requestId: scope.id,
  };
}

/** The checked `input` as a list: one string or one token-id array becomes a list of one. */
function inputsOf(input: unknown): (string | number[])[] {
  if (typeof input === "string") return [input];
  const items = input as unknown[];
  return typeof items[0] === "number" ? [items as number[]] : (items as (string | number[])[]);
}

/**
 * A local encoder: vectors pooled and normalised as the model folder says, `dimensions` cut and renormalised
 * (Matryoshka), `encoding_format: base64` as OpenAI encodes it. Inputs past the model's length are refused (400
 * naming the input), as OpenAI does, not silently truncated.
 */
async function serveLocal(
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  version: ServedVersion,
  raw: Record<string, unknown>,
): Promise<Response> {
  const dimensions = (raw.dimensions as number | null | undefined) ?? undefined;
  const { controller, release } = linkedAbort(req);
  let result: Awaited<ReturnType<typeof embedLocal>>;
  try {
    result = await embedLocal(localArtifact(version), inputsOf(raw.input), { dimensions, signal: controller.signal });
  } finally {
    release();
  }
  if (dimensions !== undefined && dimensions > result.width)
    throw invalid("dimensions", `this model's vectors have ${result.width} dimensions; dimensions may not exceed that`);
  const base64 = raw.encoding_format === "base64";
  const data = result.vectors.map((vector, index) => ({
    object: "embedding",
    index,
    embedding: base64 ? toBase64(vector) : Array.from(vector),
  }));
  const run = { device: result.device, durationMs: result.durationMs, tokens: result.tokens };
  const usage = { prompt_tokens: result.tokens, total_tokens: result.tokens };
  finishLocal(scope, version, run, { embeddings: data.length, usage });
  const info = infoOf(version, scope);
  return jsonResponse(
    { object: "list", data, model: info.modelVersion, usage, switchyard: info },
    { headers: switchyardHeaders(info) },
  );
}
