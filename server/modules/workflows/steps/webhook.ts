// webhook: POST JSON to a URL through the upstream address policy (loopback, private and metadata addresses are
// refused unless SWITCHYARD_UPSTREAM_ALLOW lists them, checked at connect time after DNS resolution).
import { Agent, fetch } from "undici";
import { DomainError } from "@/server/errors";
import { upstreamAllowList } from "@/server/modules/providers/config";
import { guardedConnector } from "@/server/modules/providers/transport";
import type { StepRun } from "./types";

const agent = new Agent({ connections: 16, connect: guardedConnector(upstreamAllowList) });
const MAX_BODY = 64 * 1024;

export const webhookStep: StepRun = async (ctx) => {
  const url = String(ctx.with.url);
  if (!/^https?:\/\//.test(url)) throw new DomainError("BAD_REQUEST", `'url' must be http(s): ${url}`);
  const headers: Record<string, string> = {
    ...((ctx.with.headers as Record<string, string> | undefined) ?? {}),
    "content-type": "application/json",
    "x-switchyard-workflow-run": ctx.runId,
    "x-switchyard-workflow-step": ctx.stepId,
  };
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify(ctx.with.body ?? {}),
    dispatcher: agent,
    signal: ctx.signal,
    redirect: "manual",
  });
  const text = (await response.text()).slice(0, MAX_BODY);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  ctx.log(`POST ${new URL(url).host} answered ${response.status}`);
  if (!response.ok) throw new Error(`The webhook answered ${response.status}`);
  return { status: response.status, body };
};
