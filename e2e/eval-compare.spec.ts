import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { seedEvalRuns } from "./eval-compare-rows";
import { newProject, SHOTS, signIn } from "./helpers";

/**
 * An eval run's results page and the comparison of its two targets (support prompt v3 vs v4), over rows seeded
 * as the eval-run executor stores them: summary with intervals, gate, cases with scores and reasons, the paired
 * tests in words, regressions first with side-by-side diffs, linkable picks. Screenshots at desktop and phone
 * width, light and dark; no sideways scroll at 390 px and no serious accessibility violation.
 */
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ["light", "dark"] as const;

test("eval run detail and comparison: summary, gate, cases, paired tests, regressions with diffs", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  const projectId = await newProject(page, `Evals ${Date.now().toString(36)}`);
  const { runId, runningRunId } = await seedEvalRuns(projectId, 40);

  // The run: header with the dataset version, gate checks, a target × evaluator table with intervals.
  await page.goto(`/projects/${projectId}/evals/${runId}`);
  await expect(page.getByRole("heading", { name: "support v3 vs v4" })).toBeVisible();
  await expect(page.getByRole("link", { name: "support-cases v2" })).toHaveAttribute("href", /\/datasets\//);
  await expect(page.getByText("completed", { exact: true })).toBeVisible();
  const gate = page.getByRole("region", { name: "Gate for support v4 · tiny" });
  await expect(gate).toContainText("failed");
  await expect(gate).toContainText("contains-days pass_rate fell by more than 0.02 against the baseline");
  const v4 = page.getByTestId("target-1");
  await expect(v4).toContainText("support v4 · tiny");
  await expect(
    v4.getByRole("img", { name: /support v4 · tiny contains-days pass rate: 0\.8\d\d, 95% CI/ }),
  ).toBeVisible();
  // Cases: filter to v4's failures, open one to read its scores and reasons.
  const cases = page.getByRole("list", { name: "Cases" });
  await expect(cases.getByRole("listitem")).toHaveCount(25);
  await page.getByRole("combobox", { name: "Target" }).selectOption({ label: "support v4 · tiny" });
  await page.getByLabel("Failed only").check();
  await expect(cases.getByRole("listitem")).toHaveCount(6); // v4 is broken on 3, 10, 17, 24, 31 and 38
  const row = page.getByTestId("result-1-3-0");
  await row.getByRole("button").click();
  await expect(row.getByRole("table", { name: "Scores" })).toContainText("does not contain '5 business days'");
  await expect(row).toContainText("I'm not sure, please contact us.");
  await shoot(page, "run-detail");

  // Compare: linkable, the paired tests in words, regressions first with the outputs side by side.
  await page.getByRole("link", { name: "Compare" }).click();
  await expect(page).toHaveURL(new RegExp(`/evals/compare\\?a=${runId}%3A0&b=${runId}%3A1|a=${runId}:0&b=${runId}:1`));
  await expect(page.getByRole("combobox", { name: "A (baseline)" })).toHaveValue(`${runId}:0`);
  const verdict = page.getByTestId("overall-verdict");
  await expect(verdict).toContainText(
    "B fixed 3 and broke 5 (McNemar, exact binomial). Not significant at 95% (p = 0.727).",
  );
  await expect(verdict).toContainText("Paired t-test");
  await expect(page.getByTestId("tests-contains-days")).toContainText("+3 / −5");
  const listed = page.getByRole("list", { name: "Cases" }).getByRole("listitem");
  await expect(listed.first()).toContainText("regression");
  const first = page.getByTestId("case-3");
  await expect(first.getByRole("region", { name: /Output diff/ })).toContainText("I'm not sure, please contact us.");
  await expect(first).toContainText("B: does not contain '5 business days'");
  await shoot(page, "compare");

  // Tabs filter by change, in the URL.
  await page.getByRole("tab", { name: /Improvements \(3\)/ }).click();
  await expect(page).toHaveURL(/change=improvement/);
  await expect(listed).toHaveCount(3);
  await expect(listed.first()).toContainText("improvement");
  await page.goBack();
  await expect(listed.first()).toContainText("regression");

  // A run still going: progress, numbers counted live, and no intervals yet.
  await page.goto(`/projects/${projectId}/evals/${runningRunId}`);
  await expect(page.getByRole("progressbar", { name: "20 of 40 cases" })).toBeVisible();
  await expect(page.getByText("Counted live from the results so far")).toBeVisible();
  await shoot(page, "run-running");
});

/** Screenshots at each size and theme; at phone width the page must not scroll sideways, and axe finds nothing serious. */
async function shoot(page: Page, name: string) {
  // The pointer rests off the page: a hovered row is not what is judged.
  await page.mouse.move(0, 0);
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
      if (size === "phone") {
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${name} at phone width (${theme}) scrolls sideways`).toBeLessThanOrEqual(0);
      }
      const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
      expect(
        violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map(
            (v) =>
              `${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`).join("; ")}`,
          ),
        `${name} ${size} ${theme}`,
      ).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/evals/${name}-${size}-${theme}.png`, fullPage: true });
    }
  }
  await page.setViewportSize(SIZES.desktop);
  await page.emulateMedia({ colorScheme: "light" });
}
