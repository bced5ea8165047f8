import type { z } from "zod";
import { decryptSecret } from "@/server/crypto/secrets";
import { DomainError, notFound } from "@/server/errors";
import type { ServiceDeps } from "@/server/modules/deps";
import { providerToApi } from "@/server/modules/models/mapping";
import type { connectionResult, testConnectionInput } from "@/server/modules/models/schemas";
import { findModel } from "@/server/modules/models/service";
import { createProvider } from "@/server/modules/providers";
import { endpointRefusal } from "@/server/modules/providers/address-policy";
import { upstreamAllowList } from "@/server/modules/providers/config";
import { ProviderError } from "@/server/modules/providers/errors";

type Result = z.infer<typeof connectionResult>;

/** A test answers fast or says it timed out: a person is waiting on the form. */
const CONNECTION_TEST_TIMEOUT_MS = 10_000;

/**
 * Calls the upstream once, the way the gateway would (the same client, address policy, hop headers and the
 * project's share of connections): a one-token chat request to the upstream model. What came back is sorted
 * into reachable / auth failed / not found / timeout / unreachable / refused, in words, with the latency.
 * Nothing is written; the key typed into the form is used for this call only.
 */
export async function testConnection(deps: ServiceDeps, input: z.output<typeof testConnectionInput>): Promise<Result> {
  const { caller } = deps;
  const model = await findModel(deps.db, caller.projectId, input.modelId);
  if (model.provider === "onnx_local")
    throw new DomainError("VALIDATION", "Local ONNX models run in-process: there is no upstream to test", [
      { path: "modelId", message: "Only upstream models have a connection to test" },
    ]);
  const target = await targetOf(deps, input);
  const refused = endpointRefusal(target.endpointBaseUrl, upstreamAllowList());
  if (refused)
    return {
      outcome: "refused",
      message: `Switchyard may not call this address: ${refused}`,
      latencyMs: null,
      httpStatus: null,
    };

  const provider = createProvider({
    kind: providerToApi(model.provider) as "openai-compatible" | "anthropic",
    baseUrl: target.endpointBaseUrl,
    apiKey: target.apiKey,
    timeoutMs: CONNECTION_TEST_TIMEOUT_MS,
  });
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await provider.chat(
      { model: target.upstreamModelId, messages: [{ role: "user", content: "ping" }], maxTokens: 1 },
      {
        requester: { projectId: caller.projectId, keyId: caller.actor.keyId ?? caller.actor.userId, hops: 0, via: [] },
      },
    );
    return {
      outcome: "reachable",
      message: `Reachable: ${answer.model} answered in ${elapsed()} ms`,
      latencyMs: elapsed(),
      httpStatus: 200,
    };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return {
      ...describeFailure(error, target.upstreamModelId),
      latencyMs: elapsed(),
      httpStatus: error.upstreamStatus,
    };
  }
}

/** The endpoint, model id and key to try: a stored version's, or the form's. */
async function targetOf(deps: ServiceDeps, input: z.output<typeof testConnectionInput>) {
  if (input.versionId) {
    const version = await deps.db.modelVersion.findFirst({
      where: { id: input.versionId, modelId: input.modelId, model: { projectId: deps.caller.projectId } },
      select: { endpointBaseUrl: true, upstreamModelId: true, apiKeyCiphertext: true },
    });
    if (!version) throw notFound("Model version", input.versionId);
    if (!version.endpointBaseUrl || !version.upstreamModelId)
      throw new DomainError("VALIDATION", "This version has no upstream endpoint to test", [
        { path: "versionId", message: "No endpoint on this version" },
      ]);
    return {
      endpointBaseUrl: version.endpointBaseUrl,
      upstreamModelId: version.upstreamModelId,
      // A key typed now (a rotation being tried) wins over the stored one.
      apiKey: input.apiKey ?? (version.apiKeyCiphertext ? decryptSecret(version.apiKeyCiphertext) : undefined),
    };
  }
  if (!input.endpointBaseUrl || !input.upstreamModelId)
    throw new DomainError("VALIDATION", "Enter the endpoint and the upstream model id to test them", [
      ...(input.endpointBaseUrl ? [] : [{ path: "endpointBaseUrl", message: "Required to test the connection" }]),
      ...(input.upstreamModelId ? [] : [{ path: "upstreamModelId", message: "Required to test the connection" }]),
    ]);
  return { endpointBaseUrl: input.endpointBaseUrl, upstreamModelId: input.upstreamModelId, apiKey: input.apiKey };
}

function describeFailure(error: ProviderError, model: string): Pick<Result, "outcome" | "message"> {
  const status = error.upstreamStatus;
  if (status === 401 || status === 403)
    return { outcome: "auth_failed", message: `Reachable, but the upstream refused the API key (HTTP ${status})` };
  if (status === 404)
    return {
      outcome: "not_found",
      message: `Reachable, but the upstream has no model "${model}" there (HTTP 404): check the model id and the base URL's path`,
    };
  if (error.code === "FORBIDDEN")
    return { outcome: "refused", message: `Switchyard may not call this address: ${error.message}` };
  if (error.code === "UNAVAILABLE") return { outcome: "unreachable", message: `Unreachable: ${error.message}` };
  if (/timed out after/.test(error.message))
    return { outcome: "timeout", message: `No answer within ${CONNECTION_TEST_TIMEOUT_MS / 1000} s: ${error.message}` };
  if (status !== null) return { outcome: "error", message: `Reachable, but the test request failed: ${error.message}` };
  return { outcome: "error", message: `The test request failed: ${error.message}` };
}
