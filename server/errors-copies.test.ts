/**
 * The gateway bundle and Next's server bundle each carry their own copy of `server/errors.ts` but share one
 * in-process inference engine, so a DomainError may come from the other copy. Every mapping must still see it as
 * the domain error it is (400/429…), never as an unexplained 500.
 */
import { describe, expect, it, vi } from "vitest";
import { DomainError, findDomainError, toDomainError } from "@/server/errors";
import { errorResponse } from "@/server/http/responses";
import { toGatewayFailure } from "@/server/modules/gateway/errors";
import { ProviderError } from "@/server/modules/providers/errors";
import { createCallerFactory, createTRPCRouter, publicProcedure } from "@/server/trpc/init";

/** A second, separately evaluated copy of server/errors.ts: what the other bundle has. */
async function otherCopy(): Promise<typeof import("@/server/errors")> {
  vi.resetModules();
  const copy = await import("@/server/errors");
  vi.resetModules();
  return copy;
}

describe("DomainError from another copy of the module", () => {
  it("is a different class, yet instanceof and toDomainError recognise its errors", async () => {
    const copy = await otherCopy();
    expect(copy.DomainError).not.toBe(DomainError);
    const foreign = new copy.DomainError("BUSY", "model demo is busy: 8 requests waiting");
    expect(foreign instanceof DomainError).toBe(true);
    expect(toDomainError(foreign)).toBe(foreign);
    expect(findDomainError(new Error("wrapped", { cause: foreign }))).toBe(foreign);
    // And the other way round.
    expect(copy.toDomainError(new DomainError("VALIDATION", "x"))?.code).toBe("VALIDATION");
    // Subclasses keep their own check: a plain DomainError is no ProviderError.
    expect(foreign instanceof ProviderError).toBe(false);
    expect(new ProviderError("UPSTREAM", "x") instanceof DomainError).toBe(true);
    // Lookalikes without the brand are not domain errors.
    expect(toDomainError(Object.assign(new Error("x"), { name: "DomainError", code: "BUSY" }))).toBeUndefined();
  });

  it("maps to its status in the gateway (OpenAI body), REST and tRPC", async () => {
    const copy = await otherCopy();
    const tooLong = new copy.DomainError("VALIDATION", "the prompt is 600 tokens; this model's context is 512 tokens");

    const gateway = toGatewayFailure(tooLong, "req-1");
    expect(gateway).toMatchObject({ status: 400, code: "VALIDATION" });
    expect(gateway.body.error).toMatchObject({ type: "invalid_request_error", code: "validation" });

    const busy = toGatewayFailure(new copy.DomainError("BUSY", "busy"), "req-2");
    expect(busy).toMatchObject({ status: 429, body: { error: { type: "rate_limit_error" } } });

    const rest = errorResponse(tooLong);
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({ error: { code: "VALIDATION", status: 400 } });

    const router = createTRPCRouter({
      generate: publicProcedure.query(() => {
        throw new copy.DomainError("BUSY", "model demo is busy");
      }),
    });
    const caller = createCallerFactory(router)({} as never);
    await expect(caller.generate()).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: "model demo is busy" });
  });
});
