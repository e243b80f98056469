/**
 * Screenshots: the audit log, pages in both themes and on a phone, kept with the test results for
 * review. With UPDATE_README_SCREENSHOT=1 the audit log also replaces the README's picture
 * (docs/screenshot-dashboard.png); otherwise test runs leave the working tree untouched.
 * Runs last, when the log has more in it.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { expect, login, logout, submitLogin, test, userFor } from "./fixtures.ts";

const readmeScreenshot =
  process.env.UPDATE_README_SCREENSHOT === "1"
    ? fileURLToPath(new URL("../../docs/screenshot-dashboard.png", import.meta.url))
    : fileURLToPath(new URL("../test-results/screenshots/audit-light.png", import.meta.url));
const reviewDir = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));

async function shot(page: Page, file: string, fullPage = true) {
  // A full-page capture resizes the viewport, which closes open menus: those are taken as seen.
  await page.screenshot({ path: file, fullPage, animations: "disabled" });
}

test.beforeAll(() => {
  mkdirSync(reviewDir, { recursive: true });
});

test("the audit log, for the README, and in the dark theme", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, userFor("admin"));
  await page.goto("/audit");
  const table = page.getByRole("table", { name: "Audit log" });
  await expect(table.locator("tbody > tr").first()).toContainText("@");
  await page.getByRole("button", { name: "Show changes" }).first().click();
  await shot(page, readmeScreenshot);

  await page.getByRole("button", { name: "Switch to dark theme" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await shot(page, `${reviewDir}audit-dark.png`);
  await page.getByRole("button", { name: "Switch to light theme" }).click();
});

test("other pages in both themes", async ({ page }) => {
  await login(page, userFor("admin"));
  for (const theme of ["light", "dark"] as const) {
    if (theme === "dark") await page.getByRole("button", { name: "Switch to dark theme" }).click();
    await page.goto("/settings");
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await shot(page, `${reviewDir}settings-${theme}.png`);
    await page.goto("/budgets");
    await expect(page.getByRole("heading", { level: 1, name: "Budgets" })).toBeVisible();
    await shot(page, `${reviewDir}not-built-${theme}.png`);
    await page.goto("/nope");
    await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
    await shot(page, `${reviewDir}not-found-${theme}.png`);
    await page.goto("/audit");
    await page.getByRole("button", { name: /^Account menu/ }).click();
    await expect(page.getByRole("menuitem", { name: "Log out" })).toBeVisible();
    await shot(page, `${reviewDir}user-menu-${theme}.png`, false);
    await page.keyboard.press("Escape");
    await page.getByRole("combobox", { name: "Action" }).click();
    await expect(page.getByRole("option", { name: "Signed in", exact: true })).toBeVisible();
    await shot(page, `${reviewDir}action-select-${theme}.png`, false);
    await page.keyboard.press("Escape");
  }
  await logout(page);
  const admin = userFor("admin");
  await submitLogin(page, admin.email, "wrong-password");
  await expect(page.getByRole("alert")).toBeVisible();
  await shot(page, `${reviewDir}login-error-dark.png`);
});

test("a reviewer's view, on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, userFor("reviewer"));
  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "You don't have access" })).toBeVisible();
  await shot(page, `${reviewDir}no-access-phone.png`);
  await page.getByRole("button", { name: "Open navigation" }).click();
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeVisible();
  await shot(page, `${reviewDir}nav-phone.png`);
});
