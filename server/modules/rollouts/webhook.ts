// The rollout's webhook: POST JSON {rollout, status, reason, metrics} when the analysis rolls a rollout back
// (or promotes it). Sent through the upstream address policy (no loopback, private or metadata addresses unless
// SWITCHYARD_UPSTREAM_ALLOW lists them, checked at connect time after DNS), signed when
// SWITCHYARD_ROLLOUT_WEBHOOK_SECRET is set: `x-switchyard-signature: sha256=<hex HMAC-SHA256 of the body>`.
import { createHmac } from "node:crypto";
import { Agent, fetch } from "undici";
import { upstreamAllowList } from "@/server/modules/providers/config";
import { guardedConnector } from "@/server/modules/providers/transport";

const SIGNATURE_HEADER = "x-switchyard-signature";
const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

let agent: Agent | null = null;
const dispatcher = () => {
  agent ??= new Agent({ connect: guardedConnector(upstreamAllowList) });
  return agent;
};

export interface WebhookResult {
  url: string;
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
}

function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Tries up to three times (0.5 s, then 1 s apart); never throws: the result is recorded as the rollout's event. */
export async function sendWebhook(url: string, payload: unknown): Promise<WebhookResult> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "switchyard-rollouts" };
  const secret = process.env.SWITCHYARD_ROLLOUT_WEBHOOK_SECRET;
  if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
  let last: WebhookResult = { url, ok: false, attempts: 0, status: null, error: null };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 2)));
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body,
        dispatcher: dispatcher(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => {});
      last = { url, ok: response.ok, attempts: attempt, status: response.status, error: null };
      // A 4xx will not change on a retry (except 429).
      if (response.ok || (response.status < 500 && response.status !== 429)) return last;
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      last = { url, ok: false, attempts: attempt, status: null, error: cause ?? (error as Error).message };
    }
  }
  return last;
}
