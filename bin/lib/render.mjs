// What the CLI prints and writes from a gate's verdict (GET /api/rest/eval-gates/{id}): a table for the terminal,
// JUnit XML for CI test reports, Markdown for step summaries. Pure functions of the verdict.

/** @param {string} metric @param {string} stat @param {number | null} value */
export function formatMetric(metric, stat, value) {
  if (value === null || value === undefined) return "—";
  if (metric === "latency_p95_ms") return `${Math.round(value)} ms`;
  if (metric === "cost_usd") return `$${Number(value.toPrecision(3))}`;
  if (stat === "pass_rate" || metric === "error_rate") return `${(value * 100).toFixed(1)} %`;
  return value.toFixed(3);
}

/** @param {{ metric: string, stat: string }} check */
const checkName = (check) => (check.stat === "value" ? check.metric : `${check.metric}.${check.stat}`);

/** Check names, unique within the report (two bounds on one metric: "exact.pass_rate", "exact.pass_rate [2]"). */
function checkNames(checks) {
  const seen = new Map();
  return checks.map((check) => {
    const name = checkName(check);
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} [${count}]`;
  });
}

/** @param {string} base @param {string} path */
export const absolute = (base, path) => (/^https?:\/\//.test(path) ? path : `${base}${path}`);

/** @param {{ passed: boolean | null, status: string }} view */
function outcome(view) {
  if (view.passed === true) return "PASSED";
  if (view.passed === false) return "FAILED";
  return view.status.toUpperCase();
}

/** @param {any[]} targets */
function targetLines(targets) {
  return targets
    .filter(Boolean)
    .map(
      (t) =>
        `${t.label}: overall ${formatMetric("overall", "mean", t.overall.mean)} (pass ${formatMetric("overall", "pass_rate", t.overall.passRate)}), p95 ${formatMetric("latency_p95_ms", "value", t.latencyP95Ms)}, cost ${formatMetric("cost_usd", "value", t.results ? t.costUsd / t.results : null)}/result, errors ${t.errors}/${t.results}`,
    );
}

/**
 * The terminal summary.
 * @param {any} view the GET /eval-gates/{id} answer
 * @param {string} baseUrl the server, for links
 */
export function renderTable(view, baseUrl) {
  const checks = view.gate?.checks ?? [];
  const names = checkNames(checks);
  const rows = checks.map((c, i) => [
    c.passed ? "pass" : "FAIL",
    names[i],
    formatMetric(c.metric, c.stat, c.value),
    formatMetric(c.metric, c.stat, c.baseline),
    c.message,
  ]);
  const header = ["", "check", "candidate", "baseline", "detail"];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  const line = (cells) =>
    cells
      .map((cell, col) => (col === cells.length - 1 ? cell : cell.padEnd(widths[col])))
      .join("  ")
      .trimEnd();
  return [
    `Gate ${outcome(view)}: ${view.name}`,
    ...(rows.length ? ["", line(header), ...rows.map(line)] : []),
    "",
    ...targetLines([view.candidate, view.baseline]),
    ...view.notes.map((n) => `note: ${n}`),
    ...(view.error ? [`error: ${view.error}`] : []),
    `details: ${absolute(baseUrl, view.links.console)}`,
    "",
  ].join("\n");
}

/** XML 1.0 text: escaped, and without the control characters XML cannot carry. */
export function xml(text) {
  return (
    String(text)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

/**
 * JUnit XML (the common Jenkins/Surefire schema): one test case per threshold check, a failed check as
 * <failure message>. A run that could not be judged is one test case with an <error>.
 * @param {any} view the verdict, or null when there is none
 * @param {{ baseUrl: string, seconds: number, error?: string, timestamp?: string, runId?: string | null }} context
 */
export function renderJUnit(view, context) {
  const name = view?.name ?? "switchyard eval gate";
  const time = context.seconds.toFixed(3);
  const suiteClass = `switchyard.gate.${name.replace(/[^\w.-]+/g, "_")}`;
  const cases = [];
  let failures = 0;
  let errors = 0;
  if (context.error || !view?.gate) {
    errors = 1;
    const message =
      context.error ?? `the run ended ${view?.status ?? "without a verdict"}${view?.error ? `: ${view.error}` : ""}`;
    cases.push(
      `    <testcase classname="${xml(suiteClass)}" name="eval run" time="${time}">\n      <error message="${xml(message)}" type="GateError">${xml(message)}</error>\n    </testcase>`,
    );
  } else {
    const names = checkNames(view.gate.checks);
    view.gate.checks.forEach((c, i) => {
      const detail = `${c.message}\ncandidate: ${formatMetric(c.metric, c.stat, c.value)}\nbaseline: ${formatMetric(c.metric, c.stat, c.baseline)}`;
      if (c.passed) {
        cases.push(`    <testcase classname="${xml(suiteClass)}" name="${xml(names[i])}" time="0"/>`);
      } else {
        failures += 1;
        cases.push(
          `    <testcase classname="${xml(suiteClass)}" name="${xml(names[i])}" time="0">\n      <failure message="${xml(c.message)}" type="GateThreshold">${xml(detail)}</failure>\n    </testcase>`,
        );
      }
    });
  }
  const runId = view?.id ?? context.runId ?? null;
  const properties = [
    ...(runId ? [["run", runId]] : []),
    ...(view?.links ? [["url", absolute(context.baseUrl, view.links.console)]] : []),
    ...(view?.notes ?? []).map((note) => ["note", note]),
  ];
  const props = properties.length
    ? `    <properties>\n${properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`).join("\n")}\n    </properties>\n`
    : "";
  const timestamp = (context.timestamp ?? new Date().toISOString()).replace(/\.\d+Z$/, "").replace(/Z$/, "");
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="switchyard eval" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">
  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${timestamp}" hostname="switchyard">
${props}${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

/** A Markdown table cell: no pipes or line breaks. */
const cell = (text) => String(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/**
 * A Markdown summary (GitHub step summaries render it): verdict, one row per check, the targets, notes, link.
 * @param {any} view the verdict, or null when there is none
 * @param {{ baseUrl: string, error?: string }} context
 */
export function renderMarkdown(view, context) {
  const lines = [];
  if (context.error || !view?.gate) {
    const why =
      context.error ?? `the run ended ${view?.status ?? "without a verdict"}${view?.error ? `: ${view.error}` : ""}`;
    lines.push(`### ⚠️ Switchyard gate error${view ? `: ${cell(view.name)}` : ""}`, "", cell(why), "");
  } else {
    const passed = view.gate.passed;
    const failed = view.gate.checks.filter((c) => !c.passed).length;
    lines.push(
      `### ${passed ? "✅ Switchyard gate passed" : "❌ Switchyard gate failed"}: ${cell(view.name)}`,
      "",
      passed
        ? `All ${view.gate.checks.length} checks passed.`
        : `${failed} of ${view.gate.checks.length} checks failed.`,
      "",
      "| | Check | Candidate | Baseline | Detail |",
      "|---|---|---|---|---|",
      ...view.gate.checks.map((c, i) => {
        const name = checkNames(view.gate.checks)[i];
        return `| ${c.passed ? "✅" : "❌"} | \`${cell(name)}\` | ${formatMetric(c.metric, c.stat, c.value)} | ${formatMetric(c.metric, c.stat, c.baseline)} | ${cell(c.message)} |`;
      }),
      "",
    );
  }
  const targets = [view?.candidate, view?.baseline].filter(Boolean);
  if (targets.length)
    lines.push(
      "| Target | Overall mean | Pass rate | p95 latency | Cost / result | Errors |",
      "|---|---|---|---|---|---|",
      ...targets.map(
        (t) =>
          `| ${cell(t.label)} | ${formatMetric("overall", "mean", t.overall.mean)} | ${formatMetric("overall", "pass_rate", t.overall.passRate)} | ${formatMetric("latency_p95_ms", "value", t.latencyP95Ms)} | ${formatMetric("cost_usd", "value", t.results ? t.costUsd / t.results : null)} | ${t.errors}/${t.results} |`,
      ),
      "",
    );
  for (const note of view?.notes ?? []) lines.push(`> ${cell(note)}`, "");
  if (view?.links) lines.push(`[Open the run in Switchyard](${absolute(context.baseUrl, view.links.console)})`, "");
  return lines.join("\n");
}
