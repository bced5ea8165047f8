/**
 * A cron expression in words, for the console ("Every day at 09:00 on weekdays"). Covers the common shapes;
 * anything else is said field by field. Browser-safe, no parsing beyond splitting: the expression is valid.
 */
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const isNumber = (field: string) => /^\d+$/.test(field);
const pad = (n: string) => n.padStart(2, "0");
const every = (n: string, unit: string) => (n === "1" ? `Every ${unit}` : `Every ${n} ${unit}s`);

function days(dom: string, month: string, dow: string): string {
  const parts: string[] = [];
  if (dow === "1-5" || dow.toUpperCase() === "MON-FRI") parts.push("on weekdays");
  else if (dow === "0,6" || dow === "6,0") parts.push("on weekends");
  else if (isNumber(dow)) parts.push(`on ${WEEKDAYS[Number(dow)] ?? `weekday ${dow}`}`);
  else if (dow !== "*" && dow !== "?") parts.push(`on weekdays ${dow}`);
  if (isNumber(dom)) parts.push(`on day ${dom} of the month`);
  else if (dom !== "*" && dom !== "?") parts.push(`on days ${dom} of the month`);
  if (isNumber(month)) parts.push(`in ${MONTHS[Number(month) - 1] ?? `month ${month}`}`);
  else if (month !== "*") parts.push(`in months ${month}`);
  return parts.length ? ` ${parts.join(", ")}` : "";
}

export function describeCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  const [second, minute, hour, dom, month, dow] = fields.length === 6 ? fields : ["0", ...fields];
  if (!minute || !hour || !dom || !month || !dow) return cron;
  const when = days(dom, month, dow);
  const step = (field: string) => /^\*\/(\d+)$/.exec(field)?.[1];
  if (second !== "0") {
    const s = second === "*" ? "1" : step(second);
    if (s && minute === "*" && hour === "*") return `${every(s, "second")}${when}`;
    return `At second ${second}, minute ${minute}, hour ${hour}${when}`;
  }
  if (hour === "*" && (minute === "*" || step(minute))) return `${every(step(minute) ?? "1", "minute")}${when}`;
  if (hour === "*" && isNumber(minute)) return `Every hour at minute ${minute}${when}`;
  if (isNumber(minute) && step(hour)) return `${every(step(hour) ?? "1", "hour")} at minute ${minute}${when}`;
  if (isNumber(minute) && /^[\d,]+$/.test(hour)) {
    const times = hour
      .split(",")
      .map((h) => `${pad(h)}:${pad(minute)}`)
      .join(", ");
    return when ? `At ${times}${when}` : `Every day at ${times}`;
  }
  return `At minute ${minute}, hour ${hour}${when}`;
}
