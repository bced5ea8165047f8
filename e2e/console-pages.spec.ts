import AxeBuilder from "@axe-core/playwright";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { registerFakeModel, startFakeChat } from "./fake-chat";
import { newProject, SHOTS, signIn } from "./helpers";

/**
 * Every page of the console, at desktop and phone width, light and dark: nothing scrolls sideways at 390 px,
 * axe finds no serious or critical violation, and a screenshot of each lands in
 * test-results/screenshots/pages/ for a person to look at.
 */
const SIZES = { desktop: { width: 1360, height: 860 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ["light", "dark"] as const;

type Seeded = Awaited<ReturnType<typeof seed>>;
/** One sign-in for the whole file (sign-in is throttled per account): its cookies are every test's state. */
let state: Awaited<ReturnType<BrowserContext["storageState"]>>;
let projectId = "";
let ids: Seeded;

async function seed(page: Page, projectId: string) {
  // A failed test restarts the worker, which seeds again: fresh names each time.
  const run = Date.now().toString(36);
  const headers = { "x-switchyard-project": projectId };
  // biome-ignore lint/suspicious/noExplicitAny: REST answers, read field by field below.
  const ok = async (response: Awaited<ReturnType<Page["request"]["post"]>>): Promise<any> => {
    expect(response.status(), await response.text()).toBeLessThan(300);
    return response.json();
  };
  const prompt = await ok(
    await page.request.post("/api/rest/prompts", {
      headers,
      data: { name: `greeting-${run}`, type: "text", template: "Hello {{ name }}, welcome to {{ place }}." },
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
      data: { name: `chat-default-${run}`, source: "deployments:\n  - model: pages-model\n    weight: 1\n" },
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
    await page.request.post(`/api/rest/datasets/import?name=arithmetic-${run}`, {
      headers: { ...headers, "content-type": "application/jsonl" },
      data: `${lines}\n`,
    }),
  );
  const experiment = await ok(
    await page.request.post("/api/rest/experiments", {
      headers,
      data: {
        name: `friendlier greeting ${run}`,
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
  const schedule = await ok(
    await page.request.post("/api/rest/schedules", {
      headers,
      data: { name: `nightly-${run}`, cron: "0 9 * * 1-5", timezone: "Europe/Berlin", action: "sleep", config: {} },
    }),
  );
  return {
    promptId: prompt.promptId as string,
    routeId: (route.routeId ?? route.id) as string,
    datasetId: (dataset.dataset?.id ?? dataset.datasetId) as string,
    experimentId: (experiment.id ?? experiment.experimentId) as string,
    modelId: models.items[0].id as string,
    scheduleId: schedule.id as string,
  };
}

/** Each page, by name: its URL below /projects/<id> and its main heading. */
const TARGETS: { name: string; path: (ids: Seeded) => string; heading: string | RegExp }[] = [
  { name: "models", path: () => "models", heading: "Models" },
  { name: "model", path: (ids) => `models/${ids.modelId}`, heading: "pages-model" },
  { name: "models-compare", path: () => "models/compare", heading: /Compare/ },
  { name: "prompts", path: () => "prompts", heading: "Prompts" },
  { name: "prompt", path: (ids) => `prompts/${ids.promptId}`, heading: /^greeting-/ },
  { name: "experiments", path: () => "experiments", heading: "Experiments" },
  { name: "experiment", path: (ids) => `experiments/${ids.experimentId}`, heading: /^friendlier greeting/ },
  { name: "datasets", path: () => "datasets", heading: "Datasets" },
  { name: "dataset", path: (ids) => `datasets/${ids.datasetId}`, heading: /^arithmetic-/ },
  { name: "fine-tuning", path: () => "datasets/fine-tuning", heading: "Fine-tuning jobs" },
  { name: "playground", path: () => "playground", heading: "Playground" },
  { name: "routes", path: () => "routes", heading: "Routes" },
  { name: "route", path: (ids) => `routes/${ids.routeId}`, heading: /^chat-default-/ },
  { name: "monitoring", path: () => "monitoring", heading: "Monitoring" },
  { name: "monitoring-requests", path: () => "monitoring/requests", heading: "Requests" },
  { name: "monitoring-sessions", path: () => "monitoring/sessions", heading: "Sessions" },
  { name: "jobs", path: () => "jobs", heading: "Jobs" },
  { name: "batches", path: () => "batches", heading: "Batches" },
  { name: "schedules", path: () => "schedules", heading: "Schedules" },
  { name: "schedule", path: (ids) => `schedules/${ids.scheduleId}`, heading: /^nightly-/ },
  { name: "evals", path: () => "evals", heading: "Evals" },
  { name: "evals-compare", path: () => "evals/compare", heading: /Compare/ },
  { name: "evaluators", path: () => "evaluators", heading: "Evaluators" },
  { name: "rollouts", path: () => "rollouts", heading: "Rollouts" },
  { name: "workflows", path: () => "workflows", heading: "Workflows" },
  { name: "workflow-new", path: () => "workflows/new?template=canary-release", heading: /New workflow/ },
  { name: "api-reference", path: () => "api", heading: "API reference" },
  { name: "settings", path: () => "settings", heading: "Settings" },
  { name: "settings-api-keys", path: () => "settings/api-keys", heading: "Settings" },
  { name: "settings-members", path: () => "settings/members", heading: "Settings" },
  { name: "settings-audit", path: () => "settings/audit", heading: "Settings" },
  { name: "not-found-item", path: () => "models/00000000-0000-4000-8000-000000000000", heading: "Not found" },
  { name: "not-found-page", path: () => "no-such-page", heading: "Not found" },
];

async function settle(page: Page, target: { heading: string | RegExp }) {
  await expect(page.getByRole("heading", { level: 1, name: target.heading }).first()).toBeVisible();
  // Queries done: no loading indicator left.
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
}

/** Null when nothing sticks out to the right; else the width and the outermost elements that do. */
async function sidewaysOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    if (scrollWidth <= clientWidth) return null;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      if (el.getBoundingClientRect().right <= clientWidth) continue;
      // Only the outermost: an element whose parent already sticks out adds nothing.
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > clientWidth) continue;
      culprits.push(`${el.tagName.toLowerCase()}.${String(el.className).split(" ").slice(0, 4).join(".")}`);
      if (culprits.length === 5) break;
    }
    return `${scrollWidth} px of content in ${clientWidth} px: ${culprits.join(", ")}`;
  });
}

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test.describe("every console page", () => {
  // Not serial: a page that fails does not hide the pages after it.
  // A fixture, so it is read when each test starts (after beforeAll signed in), not when the file loads.
  // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature.
  test.use({ storageState: async ({}, use) => use(state) });
  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext({ baseURL: `http://localhost:${process.env.E2E_PORT ?? 3100}` });
    const page = await context.newPage();
    await signIn(page);
    // A project of its own: what it creates never shows up in other specs' lists.
    projectId = await newProject(page, `Console pages ${Date.now().toString(36)}`);
    const upstream = await startFakeChat();
    await registerFakeModel(page, projectId, "pages-model", upstream.origin);
    ids = await seed(page, projectId);
    state = await context.storageState();
    await context.close();
  });

  for (const target of TARGETS) {
    test(`${target.name}: no sideways scroll at phone width, no serious accessibility violation`, async ({ page }) => {
      test.setTimeout(180_000);
      const problems: string[] = [];
      for (const [size, viewport] of Object.entries(SIZES)) {
        await page.setViewportSize(viewport);
        for (const theme of THEMES) {
          await page.emulateMedia({ colorScheme: theme });
          await page.goto(`/projects/${projectId}/${target.path(ids)}`);
          await settle(page, target);
          await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
          const where = `${size} (${theme})`;
          if (size === "phone") {
            const overflow = await sidewaysOverflow(page);
            if (overflow) problems.push(`${where} scrolls sideways: ${overflow}`);
          }
          for (const violation of await seriousViolations(page)) problems.push(`${where}: ${violation}`);
          await page.screenshot({ path: `${SHOTS}/pages/${target.name}-${size}-${theme}.png`, fullPage: true });
        }
      }
      expect(problems).toEqual([]);
    });
  }
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
