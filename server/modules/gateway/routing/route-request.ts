import type { AbortLike } from "@/server/abort";
import type { ResolvedRoute } from "@/server/modules/routes/source";
import type { CompletionDeps } from "../completion-deps";
import { takesMessagesFromPrompt } from "../engine-input";
import type { Started } from "../prepare";
import type { GatewayRequest } from "../request-scope";
import { processDeploymentHealth } from "./health";
import { runRoute } from "./run";
import { readWhole } from "./whole-answer";

export function routeRequest(
  route: ResolvedRoute,
  deps: CompletionDeps,
  scope: GatewayRequest,
  signal: AbortLike,
  model: string,
  begin: (ref: string | null, signal: AbortLike) => Promise<Started>,
  /** A non-streamed answer is read whole inside the attempt, so a break after its first token can fail over. */
  wholeAnswer = false,
) {
  return runRoute(
    {
      route,
      projectId: scope.entry.projectId,
      requestId: scope.id,
      requestedModel: model,
      useDeployments: !takesMessagesFromPrompt(model),
      health: deps.routeHealth ?? processDeploymentHealth(),
      signal,
    },
    ({ ref, signal }) => begin(ref, signal),
    (late) => void late.events?.return(undefined).catch(() => {}),
    (started) => !started.cached,
    wholeAnswer ? readWhole(route.config.timeoutMs) : undefined,
  );
}
