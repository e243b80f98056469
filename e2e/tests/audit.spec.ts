/**
 * The audit log as an admin: sign-ins are listed, filters narrow the list (by action label, actor,
 * time, and "Hide sign-ins"), entries name their target and expand.
 */
import type { Page } from "@playwright/test";
import { callTrpc, expect, login, logout, test, userFor } from "./fixtures.ts";

/** Waits until the log has loaded (the skeleton shown while a filter is applied is gone). */
async function logLoaded(page: Page) {
  await expect(
    page.getByRole("table", { name: "Audit log" }).or(page.getByText(/No entries match|is empty/)),
  ).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

function cells(page: Page, column: "action" | "actor" | "target") {
  return page.getByRole("table", { name: "Audit log" }).locator(`tbody td[data-column="${column}"]`);
}
const actionCells = (page: Page) => cells(page, "action");

async function chooseAction(page: Page, action: string) {
  await page.getByRole("combobox", { name: "Action" }).click();
  await page.getByRole("option", { name: action, exact: true }).click();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await logLoaded(page);
}

test.beforeAll(async ({ browser, baseURL }) => {
  // A reviewer signs in and out, so that the log holds both actions whatever ran before.
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await login(page, userFor("reviewer"));
  await logout(page);
  await context.close();
});

test("lists sign-ins and filters by action", async ({ page }) => {
  const admin = userFor("admin");
  const reviewer = userFor("reviewer");
  await login(page, admin);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();

  const table = page.getByRole("table", { name: "Audit log" });
  // Newest first: the admin's own sign-in a moment ago.
  await expect(table.locator("tbody > tr").first()).toContainText("Signed in");
  await expect(table.locator("tbody > tr").first()).toContainText(admin.email);

  await chooseAction(page, "Signed out");
  await expect(page).toHaveURL(/action=user\.signed_out/);
  await expect(actionCells(page).first()).toHaveText("Signed out");
  const actions = await actionCells(page).allTextContents();
  expect(new Set(actions)).toEqual(new Set(["Signed out"]));
  await expect(table).toContainText(reviewer.email);

  // Both filters at once.
  await page.getByLabel("Actor email").fill(reviewer.email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/actor=/);
  await logLoaded(page);
  const actors = await cells(page, "actor").allTextContents();
  expect(new Set(actors)).toEqual(new Set([reviewer.email]));

  await page.getByLabel("Actor email").fill("nobody@example.invalid");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No entries match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(actionCells(page).first()).toBeVisible();
  await expect(page).toHaveURL(/\/audit$/);
});

test("an entry expands to show what it recorded", async ({ page }) => {
  await login(page, userFor("admin"));
  await page.goto("/audit");
  const first = page.getByRole("button", { name: "Show changes" }).first();
  await first.click();
  await expect(page.getByRole("button", { name: "Hide changes" })).toHaveAttribute("aria-expanded", "true");
  await expect(
    page.getByRole("table", { name: "Changes" }).or(page.getByText("This entry records no data")),
  ).toBeVisible();
});

test("from/to outside any entry gives the empty state; to before from is refused inline", async ({
  page,
}) => {
  await login(page, userFor("admin"));
  await page.goto("/audit");
  await page.getByLabel("From", { exact: true }).fill("2000-01-01T00:00");
  await page.getByLabel("To", { exact: true }).fill("2000-01-02T00:00");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No entries match these filters")).toBeVisible();

  await page.getByLabel("From", { exact: true }).fill("2000-01-03T00:00");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("The end must not be before the start")).toBeVisible();
});

test("an entry names its target as it was, and sign-ins can be hidden", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, userFor("admin"));
  const name = `audit target ${Date.now().toString(36)}`;
  const options = await callTrpc<{ teams: { id: string }[] }>(page, "keys.formOptions", undefined, "query");
  await callTrpc(
    page,
    "keys.create",
    { name, owner: { type: "team", id: options.teams[0]!.id }, allowedModels: [], tags: [], metadata: {} },
    "mutation",
  );
  await page.goto("/audit");
  await logLoaded(page);
  const created = page
    .getByRole("table", { name: "Audit log" })
    .locator("tbody > tr")
    .filter({ has: page.locator('td[data-column="action"]', { hasText: "Key created" }) })
    .first();
  await expect(created.locator('td[data-column="target"]')).toContainText(name);
  await expect(created.locator('td[data-column="target"]')).toContainText("api_key");
  await expect(
    actionCells(page)
      .filter({ hasText: /^Signed in$/ })
      .first(),
  ).toBeVisible();

  await page.getByLabel("Hide sign-ins").click();
  await expect(page).toHaveURL(/hideSignIns=1/);
  await logLoaded(page);
  await expect(actionCells(page).first()).toBeVisible();
  const shown = new Set(await actionCells(page).allTextContents());
  for (const signIn of ["Signed in", "Signed out", "Sign-in failed"]) expect(shown).not.toContain(signIn);
  expect(shown).toContain("Key created");

  await page.reload();
  await expect(page.getByLabel("Hide sign-ins")).toBeChecked();
});
