import type { RunStreamEvent } from "@/lib/run-stream";
import { authorizeRequest, type RequestDeps } from "@/server/auth/request";
import { DomainError, toDomainError } from "@/server/errors";
import { limitBody } from "@/server/http/body-limit";
import { errorResponse } from "@/server/http/responses";
import { refuseUnstorableText } from "@/server/http/storable-text";
import { runRequest } from "@/server/modules/runs/schemas";
import { executeRun, type PreparedRun, prepareRun } from "@/server/modules/runs/service";

const encoder = new TextEncoder();
const event = ({ event: name, data }: RunStreamEvent) =>
  encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * POST /api/rest/playground/stream: one generation as Server-Sent Events —
 * `delta` {text} as tokens arrive, then `done` {stats, runId} or `error`
 * {message, code}. Closing the connection aborts the generation.
 */
export async function streamRunResponse(original: Request, deps: RequestDeps): Promise<Response> {
  let prepared: PreparedRun;
  try {
    const caller = await authorizeRequest(original, deps, "playground:run");
    const req = await limitBody(original);
    const body = await req.json().catch(() => {
      throw new DomainError("BAD_REQUEST", "The request body must be JSON");
    });
    // Not behind a router: the request is parsed here, at the entry point (server/modules/README.md), and
    // checked for what PostgreSQL cannot store, as the router does for every procedure.
    refuseUnstorableText(body);
    prepared = await prepareRun({ db: deps.db, caller }, runRequest.parse(body));
  } catch (error) {
    return errorResponse(error);
  }
  const abort = new AbortController();
  original.signal.addEventListener("abort", () => abort.abort());
  const generator = executeRun(prepared, abort.signal);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await generator.next();
        if (next.done) return controller.close();
        const item = next.value;
        // `done` sends the run event whole, as before (its `type` field included).
        controller.enqueue(
          item.type === "text"
            ? event({ event: "delta", data: { text: item.text } })
            : event({ event: "done", data: item }),
        );
      } catch (error) {
        const domain = toDomainError(error);
        controller.enqueue(
          event({
            event: "error",
            data: { message: domain?.message ?? "Generation failed", code: domain?.code ?? "INTERNAL" },
          }),
        );
        if (!domain) console.error("[playground]", error);
        controller.close();
      }
    },
    cancel() {
      abort.abort();
      void generator.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
