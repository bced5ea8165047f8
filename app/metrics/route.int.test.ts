/** /metrics needs its token by default, and is open only when SWITCHYARD_METRICS_PUBLIC=true (issue 14, item 9). */
import { afterEach, describe, expect, it } from "vitest";
import { withTestDatabase } from "@/server/testing/db";
import { GET } from "./route";

withTestDatabase((_db, url) => {
  // The route reads the process's request-log pool (DATABASE_URL).
  process.env.DATABASE_URL = url;
});
afterEach(() => {
  delete process.env.SWITCHYARD_METRICS_TOKEN;
  delete process.env.SWITCHYARD_METRICS_PUBLIC;
});

const scrape = (authorization?: string) =>
  GET(new Request("http://localhost/metrics", { headers: authorization ? { authorization } : {} }));

describe("/metrics", () => {
  it("is closed without a token configured, saying how to open it", async () => {
    const res = await scrape();
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("SWITCHYARD_METRICS_TOKEN");
  });

  it("answers only the right Bearer token", async () => {
    process.env.SWITCHYARD_METRICS_TOKEN = "metrics-token-0123456789abcdef";
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer metrics-token-0123456789abcdeX")).status).toBe(401);
    expect((await scrape("Basic metrics-token-0123456789abcdef")).status).toBe(401);
    const res = await scrape("Bearer metrics-token-0123456789abcdef");
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^switchyard_db_up 1$/m);
  });

  it("is open only when SWITCHYARD_METRICS_PUBLIC=true", async () => {
    process.env.SWITCHYARD_METRICS_PUBLIC = "true";
    expect((await scrape()).status).toBe(200);
  });
});
