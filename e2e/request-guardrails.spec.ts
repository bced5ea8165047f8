import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { projectIdOf, SHOTS, signIn } from "./helpers";

/**
 * The request explorer shows what a route's guardrails did. The row is
 * written straight into the app's request_log (routes are configured by
 * another part of the product), exactly as the gateway's writer stores it.
 */
test("the request detail lists the guardrail actions of a row", async ({ page }) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  const client = new pg.Client({
    // The embedded server's generated password, kept with its data (server/database/embedded.ts).
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO request_log (id, project_id, started_at, method, path, requested_model, status, error_code,
         error_message, stream, latency_ms, tokens_in, tokens_out, cost_usd, cache_hit, guardrails)
       VALUES ($1, $2, now(), 'POST', '/v1/chat/completions', 'support-bot', 400, 'GUARDRAIL_BLOCKED',
         $3, false, 12, 0, 0, 0, false, $4)`,
      [
        randomUUID(),
        projectId,
        "Blocked by the input guardrail 'injection': prompt-injection score 0.94 reached the route's threshold 0.5",
        JSON.stringify([
          { stage: "input", rule: "pii", action: "mask", count: 3, kinds: { EMAIL: 2, PHONE: 1 } },
          {
            stage: "input",
            rule: "injection",
            action: "block",
            score: 0.94,
            matched: ["ignore_previous_instructions", "system_prompt_exfiltration"],
          },
        ]),
      ],
    );
  } finally {
    await client.end();
  }

  await page.goto(`/projects/${projectId}/monitoring`);
  await page.getByRole("navigation", { name: "Monitoring pages" }).getByRole("link", { name: "Requests" }).click();
  const row = page.getByRole("row", { name: /support-bot/ });
  await expect(row).toContainText("block");
  await expect(row).toContainText("mask");
  await row.getByRole("button", { name: "Details" }).click();
  const guardrails = page.getByRole("dialog", { name: "Request" }).getByRole("region", { name: "Guardrails" });
  await expect(guardrails).toContainText("pii");
  await expect(guardrails).toContainText("EMAIL 2, PHONE 1");
  await expect(guardrails).toContainText("score 0.94");
  await expect(guardrails).toContainText("ignore_previous_instructions");
  await page.screenshot({ path: `${SHOTS}/request-guardrails.png` });
});
