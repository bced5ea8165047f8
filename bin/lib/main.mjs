// `switchyard eval`: start a gate (or take --run), wait for it with progress on stderr, print and write the verdict.
// Everything outside the process comes in through `io`, so the whole flow runs in tests against a real server.
import { HELP, parseCli, UsageError } from "./args.mjs";
import { absolute, renderJUnit, renderMarkdown, renderTable } from "./render.mjs";

export const EXIT = { passed: 0, failed: 1, error: 2 };
const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** An error the CLI reports and exits 2 on; `runId` when a run had started (the reports name it). */
class CliError extends Error {
  /** @param {string} message @param {string | null} [runId] */
  constructor(message, runId = null) {
    super(message);
    this.runId = runId;
  }
}

/** @param {Response} res */
async function errorMessage(res) {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    const message = body?.error?.message ?? body?.message;
    if (message) return String(message);
  } catch {}
  return text.slice(0, 300) || res.statusText;
}

/**
 * @param {{ url: string, apiKey: string }} options
 * @param {typeof fetch} fetchImpl
 */
function client(options, fetchImpl) {
  return async (method, path, body) => {
    let res;
    try {
      res = await fetchImpl(`${options.url}/api/rest${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error);
      throw new CliError(`Cannot reach ${options.url}: ${cause}`);
    }
    if (res.ok) return res.json();
    const message = await errorMessage(res);
    if (res.status === 401) throw new CliError(`The API key was refused (401): ${message}`);
    if (res.status === 403) throw new CliError(`The API key may not do this (403): ${message}`);
    throw new CliError(`${method} ${path} failed (${res.status}): ${message}`);
  };
}

/**
 * @param {string[]} argv
 * @param {{
 *   env: Record<string, string | undefined>,
 *   fetch: typeof fetch,
 *   stdout: (text: string) => void,
 *   stderr: (text: string) => void,
 *   writeFile: (path: string, text: string) => Promise<void>,
 *   appendFile: (path: string, text: string) => Promise<void>,
 *   sleep: (ms: number) => Promise<void>,
 *   now: () => number,
 *   version: string,
 * }} io
 * @returns {Promise<number>} the exit code
 */
export async function main(argv, io) {
  let options;
  try {
    options = parseCli(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`switchyard: ${error.message}\nRun 'switchyard --help' for usage.\n`);
    return EXIT.error;
  }
  if (options.command === "help") {
    io.stdout(HELP);
    return EXIT.passed;
  }
  if (options.command === "version") {
    io.stdout(`${io.version}\n`);
    return EXIT.passed;
  }

  const started = io.now();
  const call = client(options, io.fetch);
  let view = null;
  let failure = null;
  let runId = options.runId;
  try {
    if (!runId) {
      const created = await call("POST", "/eval-gates", options.request);
      runId = created.id;
      const versus = created.baseline ? ` vs ${created.baseline.label} (v${created.baseline.version})` : "";
      io.stderr(`switchyard: started eval run ${runId}: candidate v${created.candidate.version}${versus}\n`);
      for (const note of created.notes) io.stderr(`switchyard: note: ${note}\n`);
      io.stderr(`switchyard: ${absolute(options.url, created.links.console)}\n`);
    }
    view = await waitForRun(call, runId, options, io, started);
    if (view.status !== "completed")
      throw new CliError(`The eval run ${view.status}${view.error ? `: ${view.error}` : ""}`, runId);
    if (!view.gate) throw new CliError("The eval run has no gate thresholds, so there is no verdict", runId);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    failure = error.message;
  }

  const seconds = (io.now() - started) / 1000;
  if (view && !failure) io.stdout(renderTable(view, options.url));
  if (failure) io.stderr(`switchyard: ${failure}\n`);
  const context = { baseUrl: options.url, seconds, runId, ...(failure ? { error: failure } : {}) };
  try {
    if (options.junit) await io.writeFile(options.junit, renderJUnit(view, context));
    const markdown = renderMarkdown(view, context);
    if (options.markdown) await io.writeFile(options.markdown, markdown);
    else if (io.env.GITHUB_STEP_SUMMARY) await io.appendFile(io.env.GITHUB_STEP_SUMMARY, markdown);
  } catch (error) {
    io.stderr(`switchyard: could not write a report: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
  if (failure) return EXIT.error;
  return view.gate.passed ? EXIT.passed : EXIT.failed;
}

/** Polls the verdict until the run ends or the timeout passes; progress lines on stderr when they change. */
async function waitForRun(call, runId, options, io, started) {
  const deadline = started + options.timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    const view = await call("GET", `/eval-gates/${runId}`);
    const progress = `${view.status} ${view.doneCases}/${view.totalCases} cases`;
    if (progress !== last) {
      io.stderr(`switchyard: run ${runId}: ${progress}\n`);
      last = progress;
    }
    if (FINISHED.has(view.status)) return view;
    if (io.now() >= deadline)
      throw new CliError(
        `Gave up waiting after ${options.timeoutSeconds} s (the run is ${view.status}, ${view.doneCases}/${view.totalCases} cases, and goes on: ${absolute(options.url, view.links.console)})`,
        runId,
      );
    await io.sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - io.now())));
  }
}
