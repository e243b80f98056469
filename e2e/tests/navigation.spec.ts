/** Pages that do not exist and pages a role may not open. */
import { expect, login, test, userFor } from "./fixtures.ts";

test("an unknown address shows the 404 page", async ({ page }) => {
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByText("/no/such/page")).toBeVisible();
});

test("an unknown address below a section shows the 404 page to a signed-in user", async ({ page }) => {
  await login(page, userFor("admin"));
  await page.goto("/keys/does-not-exist");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(page).toHaveURL(/\/keys$/);
});

test("a reviewer opening the audit log is told they have no access", async ({ page }) => {
  await login(page, userFor("reviewer"));
  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "You don't have access" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Audit log" })).toHaveCount(0);
});

test("finance cannot open the keys page either", async ({ page }) => {
  await login(page, userFor("finance"));
  await page.goto("/keys");
  await expect(page.getByRole("heading", { level: 1, name: "You don't have access" })).toBeVisible();
});

test("the theme toggle switches to dark and the choice survives a reload", async ({ page }) => {
  await login(page, userFor("admin"));
  const html = page.locator("html");
  await expect(html).not.toHaveClass(/dark/);
  await page.getByRole("button", { name: "Switch to dark theme" }).click();
  await expect(html).toHaveClass(/dark/);
  await page.reload();
  await expect(html).toHaveClass(/dark/);
  await page.getByRole("button", { name: "Switch to light theme" }).click();
  await expect(html).not.toHaveClass(/dark/);
});

test("the first visit follows the system's dark preference", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ colorScheme: "dark", baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await context.close();
});
