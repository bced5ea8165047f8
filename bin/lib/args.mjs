// The CLI's arguments and the threshold syntax, as pure functions (no I/O): bin/switchyard.mjs stays thin.
import { parseArgs } from "node:util";

/** A mistake in how the CLI was called: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

const VALUE_METRICS = ["latency_p95_ms", "cost_usd", "error_rate"];
const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?`;
const THRESHOLD = new RegExp(
  String.raw`^\s*([A-Za-z0-9_][\w\-/:.]*?)(?:\.(mean|pass_rate))?\s*(>=|<=|=>|=<|>|<|==|=)\s*(${NUMBER})\s*(%)?\s*(vs\s+baseline)?\s*$`,
  "i",
);

/**
 * One `--threshold` expression → a gate threshold (lib/evals/gate.ts thresholdSchema):
 *   overall.mean>=0.8                     absolute minimum (>= : higher is better)
 *   exact.pass_rate>=80%                  80 % = 0.8
 *   latency_p95_ms<=1500                  absolute maximum (<= : lower is better)
 *   exact.pass_rate>=-0.02 vs baseline    candidate − baseline ≥ −0.02 (at most 2 points worse)
 *   overall.mean>=+5% vs baseline         (candidate − baseline) / baseline ≥ +5 %
 *   cost_usd<=+10% vs baseline            cost per result may rise at most 10 %
 * @param {string} text
 */
export function parseThreshold(text) {
  const match = THRESHOLD.exec(text);
  if (!match)
    throw new UsageError(
      `--threshold '${text}': expected METRIC[.mean|.pass_rate] >=|<= NUMBER[%] [vs baseline], e.g. "overall.mean>=0.8" or "exact.pass_rate>=-0.02 vs baseline"`,
    );
  const [, metric, stat, rawOp, rawNumber, percent, vsBaseline] = match;
  const op = rawOp === "=>" ? ">=" : rawOp === "=<" ? "<=" : rawOp;
  if (op !== ">=" && op !== "<=")
    throw new UsageError(
      `--threshold '${text}': use >= (higher is better: a minimum) or <= (lower is better: a maximum), not ${rawOp}`,
    );
  if (VALUE_METRICS.includes(metric) && stat)
    throw new UsageError(`--threshold '${text}': ${metric} has no .${stat} (it is one number per target)`);
  const higherIsBetter = op === ">=";
  const number = Number(rawNumber) / (percent ? 100 : 1);
  /** @type {Record<string, unknown>} */
  const threshold = { metric, higherIsBetter };
  if (!VALUE_METRICS.includes(metric)) threshold.stat = stat ?? "mean";
  if (!vsBaseline) {
    threshold.threshold = number;
    return threshold;
  }
  // The server's thresholds count a change in the improving direction: for "lower is better" flip the sign, so
  // "<= +10% vs baseline" (may rise 10 %) becomes "at least −10 % better".
  const change = number === 0 ? 0 : higherIsBetter ? number : -number;
  if (percent) threshold.minRelativeChange = change;
  else threshold.minAbsoluteChange = change;
  return threshold;
}

const OPTIONS = {
  prompt: { type: "string" },
  "model-name": { type: "string" },
  candidate: { type: "string" },
  baseline: { type: "string" },
  dataset: { type: "string" },
  evaluator: { type: "string", multiple: true },
  threshold: { type: "string", multiple: true },
  model: { type: "string" },
  trials: { type: "string" },
  concurrency: { type: "string" },
  "case-limit": { type: "string" },
  "budget-usd": { type: "string" },
  run: { type: "string" },
  junit: { type: "string" },
  markdown: { type: "string" },
  timeout: { type: "string" },
  poll: { type: "string" },
  url: { type: "string" },
  "api-key": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
};

/** @param {string} flag @param {string | undefined} text @param {{ min: number, integer?: boolean }} rule */
function numberFlag(flag, text, rule) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value)))
    throw new UsageError(
      `--${flag} '${text}': expected ${rule.integer ? "a whole number" : "a number"} of at least ${rule.min}`,
    );
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * argv (without node and the script) and the environment → what to do.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 */
export function parseCli(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.version) return { command: "version" };
  if (values.help || positionals.length === 0 || positionals[0] === "help") return { command: "help" };
  if (positionals[0] !== "eval") throw new UsageError(`Unknown command '${positionals[0]}' (the command is 'eval')`);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument '${positionals[1]}'`);

  const url = (values.url ?? env.SWITCHYARD_URL ?? "").replace(/\/+$/, "");
  const apiKey = values["api-key"] ?? env.SWITCHYARD_API_KEY ?? "";
  if (!url)
    throw new UsageError("Set SWITCHYARD_URL (or --url) to the Switchyard server, e.g. https://switchyard.example.com");
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url '${url}': expected an http:// or https:// address`);
  if (!apiKey)
    throw new UsageError("Set SWITCHYARD_API_KEY (or --api-key) to an API key with evals:write and evals:read");

  const common = {
    url,
    apiKey,
    junit: values.junit ?? null,
    markdown: values.markdown ?? null,
    timeoutSeconds: numberFlag("timeout", values.timeout, { min: 1 }) ?? 600,
    pollSeconds: numberFlag("poll", values.poll, { min: 0.05 }) ?? 2,
  };

  if (values.run !== undefined) {
    if (!UUID.test(values.run)) throw new UsageError(`--run '${values.run}': expected an eval run id (a UUID)`);
    const extra = ["prompt", "model-name", "candidate", "dataset", "evaluator", "threshold"].filter((f) => values[f]);
    if (extra.length)
      throw new UsageError(`--run waits on an existing run: drop ${extra.map((f) => `--${f}`).join(", ")}`);
    return { command: "eval", ...common, runId: values.run, request: null };
  }

  if (Boolean(values.prompt) === Boolean(values["model-name"]))
    throw new UsageError("Name what to gate: --prompt <name> or --model-name <name> (one of them)");
  if (values.model && values["model-name"])
    throw new UsageError("--model overrides a prompt's model; a model gate names its model with --model-name");
  const candidate = numberFlag("candidate", values.candidate, { min: 1, integer: true });
  if (candidate === undefined) throw new UsageError("--candidate <version> is required (the version number to gate)");
  if (!values.dataset) throw new UsageError("--dataset <name[@version]> is required");
  if (!values.evaluator?.length) throw new UsageError("--evaluator <name> is required (repeat it for several)");
  if (!values.threshold?.length)
    throw new UsageError('--threshold is required, e.g. --threshold "overall.mean>=0.8" (repeat it for several)');

  const request = {
    ...(values.prompt ? { prompt: values.prompt } : { modelName: values["model-name"] }),
    candidate,
    baseline: values.baseline ?? "production",
    dataset: values.dataset,
    evaluators: values.evaluator,
    thresholds: values.threshold.map(parseThreshold),
    ...(values.model ? { model: values.model } : {}),
    ...(values.trials ? { trials: numberFlag("trials", values.trials, { min: 1, integer: true }) } : {}),
    ...(values.concurrency
      ? { concurrency: numberFlag("concurrency", values.concurrency, { min: 1, integer: true }) }
      : {}),
    ...(values["case-limit"]
      ? { caseLimit: numberFlag("case-limit", values["case-limit"], { min: 1, integer: true }) }
      : {}),
    ...(values["budget-usd"] ? { budgetUsd: numberFlag("budget-usd", values["budget-usd"], { min: 0 }) } : {}),
  };
  return { command: "eval", ...common, runId: null, request };
}

export const HELP = `switchyard — Switchyard's command line

Usage:
  switchyard eval --prompt <name> --candidate <version> --dataset <name[@version]>
                  --evaluator <name>... --threshold <expr>... [options]
  switchyard eval --model-name <model> --candidate <version> ... (gate a model version)
  switchyard eval --run <eval run id> [--junit out.xml] [--markdown summary.md]   (wait on an existing run)

Runs an eval of the candidate version against a baseline (default: the version 'production' points at) over a
dataset version, waits for it (progress on stderr), prints the checks, and exits
  0  the gate passed   1  the gate failed   2  an error (bad arguments, refused key, server error, timeout)

Options:
  --baseline <label|version|none>  what to compare with (default production; an unset label = no baseline,
                                   absolute thresholds only)
  --model <name[@alias|@version]>  for a prompt gate: the model both versions call instead of their own
  --trials <n> --concurrency <n> --case-limit <n> --budget-usd <usd>
  --junit <file>                   JUnit XML: one test case per threshold check
  --markdown <file>                a Markdown summary (default: appended to $GITHUB_STEP_SUMMARY when set)
  --timeout <seconds>              give up waiting after this long (default 600; the run goes on)
  --url <url>  --api-key <key>     override SWITCHYARD_URL and SWITCHYARD_API_KEY (the key needs evals:write)
  -h, --help   -v, --version

Thresholds: METRIC[.mean|.pass_rate] (>=|<=) NUMBER[%] [vs baseline]
  METRIC is overall, an evaluator's name, latency_p95_ms, cost_usd (per result) or error_rate.
  >= means higher is better (a minimum), <= lower is better (a maximum). NUMBER% is NUMBER/100.
  With "vs baseline" the number bounds the change from the baseline: a plain number is an absolute change
  (candidate - baseline), a percentage a relative one ((candidate - baseline) / baseline).
  "overall.mean>=0.8"                   mean score at least 0.8
  "exact.pass_rate>=90%"                at least 90 % of cases pass the evaluator 'exact'
  "exact.pass_rate>=-0.02 vs baseline"  at most 2 points below the baseline's pass rate
  "overall.mean>=+5% vs baseline"       at least 5 % better than the baseline
  "latency_p95_ms<=1500"  "cost_usd<=+10% vs baseline"  "error_rate<=0.01"
`;
