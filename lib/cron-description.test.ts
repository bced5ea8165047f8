import { describe, expect, it } from "vitest";
import { describeCron } from "./cron-description";

describe("describeCron", () => {
  it.each([
    ["* * * * *", "Every minute"],
    ["*/15 * * * *", "Every 15 minutes"],
    ["*/2 * * * * *", "Every 2 seconds"],
    ["5 * * * *", "Every hour at minute 5"],
    ["0 9 * * *", "Every day at 09:00"],
    ["30 4 * * 1-5", "At 04:30 on weekdays"],
    ["0 8,20 * * *", "Every day at 08:00, 20:00"],
    ["0 6 1 * *", "At 06:00 on day 1 of the month"],
    ["0 */6 * * *", "Every 6 hours at minute 0"],
    ["0 9 * * 1", "At 09:00 on Monday"],
  ])("%s -> %s", (cron, words) => {
    expect(describeCron(cron)).toBe(words);
  });
});
