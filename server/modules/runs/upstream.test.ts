import { afterEach, describe, expect, it } from "vitest";
import { reloadUpstreamSettings, upstreamSettings } from "@/server/modules/providers/config";
import { closeAllFakes, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { streamUpstream } from "./upstream";

afterEach(async () => {
  delete process.env.SWITCHYARD_UPSTREAM_TIMEOUT_S;
  reloadUpstreamSettings();
  await closeAllFakes();
});

describe("a non-streamed upstream call", () => {
  it("gets 5 minutes by default, well under the OpenAI SDK's 10", () => {
    expect(upstreamSettings().wholeAnswerTimeoutMs).toBe(300_000);
  });

  it("times out after SWITCHYARD_UPSTREAM_TIMEOUT_S, and its connection is closed", async () => {
    process.env.SWITCHYARD_UPSTREAM_TIMEOUT_S = "1";
    reloadUpstreamSettings();
    // An upstream that takes the request and never answers.
    const fake = await startFakeUpstream(() => new Promise(() => {}));
    const target = {
      provider: "openai-compatible" as const,
      endpointBaseUrl: `${fake.origin}/v1`,
      upstreamModelId: "m",
      apiKeyCiphertext: null,
    };
    const events = streamUpstream(target, { prompt: "hi" }, {}, new AbortController().signal, { whole: true });
    await expect(events.next()).rejects.toThrow("timed out after 1000 ms");
    expect(await fake.requests[0].completed).toBe(false);
  });

  it("refuses a setting that is not a whole number of seconds, naming it", () => {
    process.env.SWITCHYARD_UPSTREAM_TIMEOUT_S = "5m";
    expect(() => reloadUpstreamSettings()).toThrow(
      'SWITCHYARD_UPSTREAM_TIMEOUT_S must be a whole number from 1 to 86400, not "5m"',
    );
  });
});
