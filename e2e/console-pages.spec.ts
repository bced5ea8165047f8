import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

/**
 * Every page of the console, at desktop and phone width, light and dark: nothing scrolls sideways at 390 px,
 * axe finds no serious or critical violation, and a screenshot of each lands in
 * test-results/screenshots/pages/ for a person to look at.
 */
const SIZES = { desktop: { width: 1360, height: 860 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ["light", "dark"] as const;

interface Target {
  name: string;
  path: string;
  /** The page's main heading, to know it has rendered. */
  heading: string | RegExp;
}

async function seed(page: Page, projectId: string) {
  const headers = { "x-switchyard-project": projectId };
  // biome-ignore lint/suspicious/noExplicitAny: REST answers, read field by field below.
  const ok = async (response: Awaited<ReturnType<Page["request"]["post"]>>): Promise<any> => {
    expect(response.status(), await response.text()).toBeLessThan(300);
    return response.json();
  };
  const prompt = await ok(
    await page.request.post("/api/rest/prompts", {
      headers,
      data: { name: "greeting", type: "text", template: "Hello {{ name }}, welcome to {{ place }}." },
    }),
  );
  await ok(
    await page.request.post(`/api/rest/prompts/${prompt.promptId}/versions`, {
      headers,
      data: { template: "Hi {{ name }}! Welcome to {{ place }}." },
    }),
  );
  const route = await ok(
    await page.request.post("/api/rest/routes", {
      headers,
      data: { name: "chat-default", source: "deployments:\n  - model: switchyard-demo\n    weight: 1\n" },
    }),
  );
  const lines = Array.from({ length: 12 }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Question ${i}: what is ${i} + ${i}?` },
        { role: "assistant", content: `${i + i}` },
      ],
    }),
  ).join("\n");
  const dataset = await ok(
    await page.request.post("/api/rest/datasets/import?name=arithmetic", {
      headers: { ...headers, "content-type": "application/jsonl" },
      data: `${lines}\n`,
    }),
  );
  const experiment = await ok(
    await page.request.post("/api/rest/experiments", {
      headers,
      data: {
        name: "friendlier greeting",
        promptId: prompt.promptId,
        metrics: [{ name: "thumbs_up", kind: "rate" }],
        variants: [
          { key: "control", weight: 50, isControl: true, promptVersion: 1 },
          { key: "treatment", weight: 50, promptVersion: 2 },
        ],
      },
    }),
  );
  const models = await ok(await page.request.get("/api/rest/models", { headers }));
  return {
    promptId: prompt.promptId as string,
    routeId: (route.routeId ?? route.id) as string,
    datasetId: (dataset.dataset?.id ?? dataset.datasetId) as string,
    experimentId: (experiment.id ?? experiment.experimentId) as string,
    modelId: models.items[0].id as string,
  };
}

function targets(projectId: string, ids: Awaited<ReturnType<typeof seed>>): Target[] {
  const p = `/projects/${projectId}`;
  return [
    { name: "models", path: `${p}/models`, heading: "Models" },
    { name: "model", path: `${p}/models/${ids.modelId}`, heading: "switchyard-demo" },
    { name: "models-compare", path: `${p}/models/compare`, heading: /Compare/ },
    { name: "prompts", path: `${p}/prompts`, heading: "Prompts" },
    { name: "prompt", path: `${p}/prompts/${ids.promptId}`, heading: "greeting" },
    { name: "experiments", path: `${p}/experiments`, heading: "Experiments" },
    { name: "experiment", path: `${p}/experiments/${ids.experimentId}`, heading: "friendlier greeting" },
    { name: "datasets", path: `${p}/datasets`, heading: "Datasets" },
    { name: "dataset", path: `${p}/datasets/${ids.datasetId}`, heading: "arithmetic" },
    { name: "playground", path: `${p}/playground`, heading: "Playground" },
    { name: "routes", path: `${p}/routes`, heading: "Routes" },
    { name: "route", path: `${p}/routes/${ids.routeId}`, heading: "chat-default" },
    { name: "monitoring", path: `${p}/monitoring`, heading: "Monitoring" },
    { name: "api-reference", path: `${p}/api`, heading: "API reference" },
    { name: "settings", path: `${p}/settings`, heading: "Settings" },
    { name: "settings-api-keys", path: `${p}/settings/api-keys`, heading: "Settings" },
    { name: "settings-members", path: `${p}/settings/members`, heading: "Settings" },
    { name: "settings-audit", path: `${p}/settings/audit`, heading: "Settings" },
    { name: "not-found-item", path: `${p}/models/00000000-0000-4000-8000-000000000000`, heading: "Not found" },
    { name: "not-found-page", path: `${p}/no-such-page`, heading: "Not found" },
  ];
}

async function settle(page: Page, target: Target) {
  await expect(page.getByRole("heading", { level: 1, name: target.heading }).first()).toBeVisible();
  // Queries done: no loading indicator left.
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
}

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("every console page: no sideways scroll at phone width, no serious accessibility violation, screenshots", async ({
  page,
}) => {
  test.setTimeout(600_000);
  await signIn(page);
  const projectId = projectIdOf(page);
  const ids = await seed(page, projectId);
  const problems: string[] = [];
  for (const target of targets(projectId, ids)) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(target.path);
        await settle(page, target);
        await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
        const where = `${target.name} at ${size} (${theme})`;
        if (size === "phone") {
          const widths = await page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
          }));
          if (widths.scroll > widths.client)
            problems.push(`${where} scrolls sideways: ${widths.scroll} px of content in ${widths.client} px`);
        }
        for (const violation of await seriousViolations(page)) problems.push(`${where}: ${violation}`);
        await page.screenshot({ path: `${SHOTS}/pages/${target.name}-${size}-${theme}.png`, fullPage: true });
      }
    }
  }
  expect(problems).toEqual([]);
});

test("the sign-in page and an unknown URL outside a project are readable and accessible", async ({ page }) => {
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await page.goto("/sign-in");
    await expect(page.getByRole("heading", { name: "Sign in to Switchyard" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/pages/sign-in-desktop-${theme}.png` });
    await page.goto("/definitely/not/a/page");
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/pages/not-found-desktop-${theme}.png` });
  }
});
