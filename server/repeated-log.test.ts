import { describe, expect, it, vi } from "vitest";
import { describeError, isDatabaseUnreachable, RepeatedLog } from "./repeated-log";

describe("RepeatedLog", () => {
  it("writes the first line at once, then one line per interval that counts the repeats", () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const lines: string[] = [];
      const log = new RepeatedLog(30_000, (line) => lines.push(line));
      for (let i = 0; i < 500; i++) log.report("database down");
      expect(lines).toEqual(["database down"]);
      vi.setSystemTime(30_000);
      log.report("database down");
      expect(lines).toEqual(["database down", "database down (and 499 more like it since the last report)"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("isDatabaseUnreachable / describeError", () => {
  it("recognises a refused connection, Prisma's P1001 and a nested driver error; not a bug", () => {
    expect(
      isDatabaseUnreachable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5"), { code: "ECONNREFUSED" })),
    ).toBe(true);
    const prisma = Object.assign(
      new Error("Invalid `this.db.project.findUnique()` invocation\n\nCan't reach database server at 127.0.0.1:5"),
      {
        code: "P1001",
      },
    );
    expect(isDatabaseUnreachable(prisma)).toBe(true);
    expect(describeError(prisma)).toBe("Can't reach database server at 127.0.0.1:5 (P1001)");
    const wrapped = Object.assign(new Error("Raw query failed"), {
      code: "P2010",
      meta: { driverAdapterError: { message: "DatabaseNotReachable" } },
    });
    expect(isDatabaseUnreachable(wrapped)).toBe(true);
    expect(isDatabaseUnreachable(new TypeError("cannot read properties of undefined"))).toBe(false);
  });
});
