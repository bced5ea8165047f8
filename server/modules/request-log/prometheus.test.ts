import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { renderPrometheus } from "./prometheus";
import { makeEntry } from "./testing";
import { TrafficCounters } from "./traffic";
import type { RequestLogWriterStats } from "./writer";

interface Family {
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/**
 * A strict reader of the text exposition format 0.0.4: every sample belongs
 * to the family declared by the HELP/TYPE lines before it, names and labels
 * are well-formed, and values parse.
 */
function parseExposition(text: string): Map<string, Family> {
  expect(text.endsWith("\n")).toBe(true);
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | null = null;
  const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const sampleLine = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
  const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;
  for (const line of text.slice(0, -1).split("\n")) {
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    if (help) {
      expect(families.has(help[1]), `family ${help[1]} declared twice`).toBe(false);
      current = { name: help[1], family: { type: "", help: help[2], samples: [] } };
      families.set(help[1], current.family);
      continue;
    }
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      expect(type[1]).toBe(current?.name);
      current!.family.type = type[2];
      continue;
    }
    const sample = sampleLine.exec(line);
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const [, name, rawLabels = "", rawValue] = sample!;
    expect(current, `sample before any TYPE: ${line}`).not.toBeNull();
    const suffixes = current!.family.type === "histogram" ? ["_bucket", "_sum", "_count"] : [""];
    expect(suffixes.map((suffix) => current!.name + suffix)).toContain(name);
    const labels: Record<string, string> = {};
    let rest = rawLabels;
    while (rest.length > 0) {
      const pair = labelPair.exec(rest);
      expect(pair, `bad labels: ${rawLabels}`).not.toBeNull();
      labels[pair![1]] = pair![2];
      rest = rest.slice(pair![0].length);
    }
    const value = rawValue === "+Inf" ? Number.POSITIVE_INFINITY : Number(rawValue);
    expect(Number.isNaN(value) && rawValue !== "NaN", `bad value: ${line}`).toBe(false);
    current!.family.samples.push({ name, labels, value });
  }
  return families;
}

function stats(overrides: Partial<RequestLogWriterStats> = {}): RequestLogWriterStats {
  return {
    recorded: 12,
    buffered: 2,
    written: 10,
    dropped: 0,
    rejected: 1,
    salvaged: 0,
    duplicates: 0,
    evicted: 0,
    replayed: 0,
    spool: null,
    batches: 3,
    failures: 1,
    backoffMs: 0,
    lastError: { message: 'boom "quoted"\nnext', at: new Date() },
    lastFlushAt: new Date("2026-01-01T00:00:00Z"),
    flushLatency: {
      lastMs: 4,
      maxMs: 30,
      count: 3,
      sumMs: 40,
      buckets: [1, 2.5, 5, 10, 25, 50].map((leMs) => ({ leMs, count: leMs < 5 ? 0 : leMs < 25 ? 2 : 3 })),
    },
    ...overrides,
  };
}

describe("renderPrometheus", () => {
  it("renders valid exposition text with gateway, writer and process metrics", async () => {
    const traffic = new TrafficCounters();
    traffic.count(makeEntry({ status: 200, latencyMs: 3, ttftMs: 1.5, tokensIn: 4, tokensOut: 6, costUsd: 0.25 }));
    traffic.count(makeEntry({ status: 502, latencyMs: 900_000, tokensIn: 0, tokensOut: 0, costUsd: 0 }));
    const text = await renderPrometheus({
      writer: { stats: () => stats(), trafficSnapshot: () => traffic.snapshot() },
    });
    const families = parseExposition(text);

    const requests = families.get("switchyard_gateway_requests_total")!;
    expect(requests.type).toBe("counter");
    const byClass = Object.fromEntries(requests.samples.map((s) => [s.labels.status_class, s.value]));
    expect(byClass).toMatchObject({ "2xx": 1, "5xx": 1, "4xx": 0 });
    expect(families.get("switchyard_gateway_tokens_total")!.samples.map((s) => s.value)).toEqual([4, 6]);
    expect(families.get("switchyard_gateway_cost_usd_total")!.samples[0].value).toBe(0.25);
    expect(families.get("switchyard_request_log_buffered")!.samples[0].value).toBe(2);
    expect(families.get("switchyard_request_log_written_total")!.samples[0].value).toBe(10);
    expect(families.get("switchyard_request_log_dropped_total")!.samples[0].value).toBe(0);
    expect(families.get("process_resident_memory_bytes")!.samples[0].value).toBeGreaterThan(0);

    for (const name of [
      "switchyard_gateway_request_duration_seconds",
      "switchyard_gateway_time_to_first_token_seconds",
      "switchyard_request_log_flush_duration_seconds",
    ]) {
      const family = families.get(name)!;
      expect(family.type).toBe("histogram");
      const buckets = family.samples.filter((s) => s.name.endsWith("_bucket"));
      const les = buckets.map((s) => (s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le)));
      expect(les.at(-1)).toBe(Number.POSITIVE_INFINITY);
      for (let i = 1; i < buckets.length; i++) {
        expect(les[i]).toBeGreaterThan(les[i - 1]);
        expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
      }
      const count = family.samples.find((s) => s.name === `${name}_count`)!.value;
      expect(buckets.at(-1)!.value).toBe(count);
    }
    const duration = families.get("switchyard_gateway_request_duration_seconds")!;
    expect(duration.samples.find((s) => s.name.endsWith("_count"))!.value).toBe(2);
    // 3 ms is at most the 4 ms bound; 900 s only in +Inf.
    expect(duration.samples.find((s) => s.labels.le === "0.004")!.value).toBe(1);
    expect(duration.samples.find((s) => s.labels.le === "262.144")!.value).toBe(1);
    expect(families.get("switchyard_request_log_flush_duration_seconds")!.samples.at(-1)!.value).toBe(3);
  });

  it("appends the standard process and Node.js metrics, from a registry of its own", async () => {
    const first = parseExposition(await renderPrometheus());
    const types = Object.fromEntries([...first].map(([name, family]) => [name, family.type]));
    expect(types).toMatchObject({
      process_cpu_user_seconds_total: "counter",
      process_cpu_system_seconds_total: "counter",
      process_cpu_seconds_total: "counter",
      process_resident_memory_bytes: "gauge",
      process_start_time_seconds: "gauge",
      nodejs_heap_size_used_bytes: "gauge",
      nodejs_heap_size_total_bytes: "gauge",
      nodejs_external_memory_bytes: "gauge",
      nodejs_eventloop_lag_seconds: "gauge",
      nodejs_eventloop_lag_p99_seconds: "gauge",
      nodejs_gc_duration_seconds: "histogram",
      nodejs_heap_space_size_used_bytes: "gauge",
      nodejs_version_info: "gauge",
    });
    expect(first.get("process_resident_memory_bytes")!.samples[0].value).toBeGreaterThan(0);
    expect(first.get("process_cpu_seconds_total")!.samples[0].value).toBeGreaterThan(0);
    // The start time is a constant, not recomputed (and re-rounded) per scrape.
    const started = first.get("process_start_time_seconds")!.samples[0].value;
    expect(Math.abs(started - (Date.now() / 1000 - process.uptime()))).toBeLessThanOrEqual(1);
    const second = parseExposition(await renderPrometheus());
    expect(second.get("process_start_time_seconds")!.samples[0].value).toBe(started);
    // The global prom-client registry is left alone.
    expect(register.getMetricsAsArray()).toEqual([]);
  });

  it("reports the database as down instead of failing", async () => {
    const db = { query: () => Promise.reject(new Error("ECONNREFUSED")) };
    const families = parseExposition(await renderPrometheus({ db, process: false }));
    expect(families.get("switchyard_db_up")!.samples[0].value).toBe(0);
    expect([...families.keys()]).toEqual(["switchyard_db_up"]);
  });
});
