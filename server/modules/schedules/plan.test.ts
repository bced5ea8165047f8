import { describe, expect, it } from "vitest";
import { fireTimesBetween, planFires } from "./plan";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const T = new Date("2030-05-01T10:00:00Z");
const plus = (ms: number) => new Date(T.getTime() + ms);

describe("fire times", () => {
  it("includes both ends and keeps the newest when there are more than the limit", () => {
    expect(iso(fireTimesBetween("* * * * *", "UTC", T, plus(2 * 60_000), 10).times)).toEqual([
      "2030-05-01T10:00:00.000Z",
      "2030-05-01T10:01:00.000Z",
      "2030-05-01T10:02:00.000Z",
    ]);
    const capped = fireTimesBetween("* * * * * *", "UTC", T, plus(10_000), 3);
    expect(iso(capped.times)).toEqual([
      "2030-05-01T10:00:08.000Z",
      "2030-05-01T10:00:09.000Z",
      "2030-05-01T10:00:10.000Z",
    ]);
    expect(capped.more).toBe(true);
  });

  it("reads the zone: 09:00 in New York is 14:00 UTC before the March DST change and 13:00 after", () => {
    const times = fireTimesBetween(
      "0 9 * * *",
      "America/New_York",
      new Date("2026-03-06T00:00:00Z"),
      new Date("2026-03-10T00:00:00Z"),
      10,
    );
    expect(iso(times.times)).toEqual([
      "2026-03-06T14:00:00.000Z",
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });
});

describe("planFires", () => {
  const due = { cron: "* * * * *", timezone: "UTC", nextRunAt: T };

  it("starts a fire time seen on time, and says when the next one is", () => {
    const plan = planFires({ ...due, catchUp: "none" }, plus(400));
    expect(iso(plan.run)).toEqual([T.toISOString()]);
    expect(plan.missed).toEqual([]);
    expect(plan.nextRunAt?.toISOString()).toBe("2030-05-01T10:01:00.000Z");
  });

  it("applies the catch-up policy to fire times more than a minute old", () => {
    const every10 = { ...due, cron: "*/10 * * * *" };
    const missed = [T, plus(600_000), plus(1_200_000)];
    // 10:22: the newest fire time (10:20) is two minutes old.
    const now = plus(1_320_000);
    expect(planFires({ ...every10, catchUp: "none" }, now)).toMatchObject({ run: [], missed });
    expect(planFires({ ...every10, catchUp: "latest" }, now)).toMatchObject({
      run: [plus(1_200_000)],
      missed: missed.slice(0, 2),
    });
    expect(planFires({ ...every10, catchUp: "all" }, now)).toMatchObject({ run: missed, missed: [] });
    // 10:20:30: 10:20 is late but not missed, so even `none` starts it.
    expect(planFires({ ...every10, catchUp: "none" }, plus(1_230_000))).toMatchObject({
      run: [plus(1_200_000)],
      missed: missed.slice(0, 2),
    });
    expect(planFires({ ...every10, catchUp: "latest" }, plus(1_230_000))).toMatchObject({
      run: [plus(1_200_000)],
      missed: missed.slice(0, 2),
    });
    expect(planFires({ ...every10, catchUp: "none" }, now).nextRunAt?.toISOString()).toBe("2030-05-01T10:30:00.000Z");
  });

  it("catches up at most 100 missed fire times, the newest, and starts the one on time too", () => {
    const plan = planFires({ ...due, catchUp: "all" }, plus(1000 * 60_000 + 30_000));
    expect(plan.run).toHaveLength(101);
    expect(plan.dropped).toBe(true);
    expect(plan.run[0].toISOString()).toBe(plus(900 * 60_000).toISOString());
    expect(plan.run.at(-1)?.toISOString()).toBe(plus(1000 * 60_000).toISOString());
  });
});
