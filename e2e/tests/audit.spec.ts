/** The audit log as an admin: sign-ins are listed, filters narrow the list, entries expand. */
import type { Page } from "@playwright/test";
import { expect, login, logout, test, userFor } from "./fixtures.ts";

/** Waits until the log has loaded (the skeleton shown while a filter is applied is gone). */
async function logLoaded(page: Page) {
  await expect(
    page.getByRole("table", { name: "Audit log" }).or(page.getByText(/No entries match|is empty/)),
  ).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

function actionCells(page: Page) {
  return page.getByRole("table", { name: "Audit log" }).locator("tbody > tr > td:nth-child(4)");
}

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
  await expect(table.locator("tbody > tr").first()).toContainText("auth.login");
  await expect(table.locator("tbody > tr").first()).toContainText(admin.email);

  await chooseAction(page, "auth.logout");
  await expect(page).toHaveURL(/action=auth\.logout/);
  await expect(actionCells(page).first()).toHaveText("auth.logout");
  const actions = await actionCells(page).allTextContents();
  expect(new Set(actions)).toEqual(new Set(["auth.logout"]));
  await expect(table).toContainText(reviewer.email);

  // Both filters at once.
  await page.getByLabel("Actor email").fill(reviewer.email);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/actor=/);
  await logLoaded(page);
  const actors = await table.locator("tbody > tr > td:nth-child(3)").allTextContents();
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
