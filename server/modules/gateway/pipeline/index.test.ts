import { describe, expect, it } from "vitest";
import { pipelineConfig, routeConfig } from "@/lib/routes/config";
import { compilePipeline } from ".";

describe("compilePipeline", () => {
  it("is null when there is no pipeline or it asks for nothing, so the request takes the plain path", () => {
    expect(compilePipeline(undefined)).toBeNull();
    expect(compilePipeline(routeConfig.parse({}).pipeline)).toBeNull();
    expect(compilePipeline(pipelineConfig.parse({ input: {}, output: {}, postprocess: {} }))).toBeNull();
  });

  it("compiles each config object once and keeps only the halves that apply", () => {
    const config = pipelineConfig.parse({ cache: { ttlSeconds: 30 }, output: { pii: {} } });
    const compiled = compilePipeline(config);
    expect(compiled).toMatchObject({ input: null, cache: { enabled: true, sampled: false, ttlMs: 30_000 } });
    expect(compiled?.output?.guards?.guards.map((g) => g.rule)).toEqual(["pii"]);
    expect(compilePipeline(config)).toBe(compiled);
  });
});
