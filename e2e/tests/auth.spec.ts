/** Signing in and out, what each role sees, sessions that end, and changing a password. */
import { sectionsFor } from "@switchyard/core";
import { expect, login, logout, submitLogin, test, userFor } from "./fixtures.ts";

for (const role of ["admin", "reviewer", "finance"] as const) {
  test(`${role} signs in and sees exactly the sections of the role`, async ({ page }) => {
    const expected = sectionsFor(role);
    await login(page, userFor(role));

    // `/` opens the first section of the role.
    await expect(page).toHaveURL(new RegExp(`/${expected[0]!.id}$`));
    const nav = page.getByRole("navigation", { name: "Sections" });
    await expect(nav.getByRole("link")).toHaveText(expected.map((s) => s.label));

    await expect(page.getByRole("button", { name: /^Account menu/ })).toContainText(role);
  });
}

test("a section that is not available yet says so plainly", async ({ page }) => {
  await login(page, userFor("admin"));
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Budgets" }).click();
  await expect(page).toHaveURL(/\/budgets$/);
  await expect(page.getByRole("heading", { level: 1, name: "Budgets" })).toBeVisible();
  await expect(page.getByText("Budgets is not available in this version of Switchyard yet.")).toBeVisible();
  // Nothing about how the product is made belongs in it.
  await expect(page.locator("main")).not.toContainText(/issue|built/i);
});

test("a wrong password shows the generic error and stays on the login page", async ({ page }) => {
  const admin = userFor("admin");
  await page.goto("/login");
  await submitLogin(page, admin.email, "not-the-password");
  await expect(page.getByRole("alert")).toContainText("Email or password is incorrect");
  await expect(page).toHaveURL(/\/login/);
});

test("invalid input is shown next to the fields before anything is sent", async ({ page }) => {
  await page.goto("/login");
  await submitLogin(page, "not-an-email", "");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Enter your password")).toBeVisible();
});

test("logging out returns to the login page, and protected pages then ask to sign in", async ({ page }) => {
  await login(page, userFor("admin"));
  await logout(page);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
});

test("after signing in the user lands on the page they asked for", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings$/);
  const finance = userFor("finance");
  await submitLogin(page, finance.email, finance.password);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
});

test("an expired session sends the user to sign in, then back to the page", async ({ page, context }) => {
  const admin = userFor("admin");
  await login(page, admin);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();

  // The session ends (the cookie is gone) and the user opens a page.
  await context.clearCookies();
  await page.goto("/audit?action=auth.login");
  await expect(page).toHaveURL(/\/login\?next=%2Faudit%3Faction%3Dauth.login$/);
  await submitLogin(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/audit\?action=auth\.login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
});

test("a session that ends while the app is open redirects on the next request", async ({ page, context }) => {
  const admin = userFor("admin");
  await login(page, admin);
  // Let the start page's own queries finish first, so that the navigation below is what meets the 401.
  await page.waitForLoadState("networkidle");
  await context.clearCookies();

  // Client-side navigation: the audit page's first query gets 401. A background refresh of the keys
  // page (the notifications poll) may meet the 401 first, and then the app leaves for the login page
  // from /keys before the click lands: either way the next request ends it, naming where to return.
  const audit = page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" });
  await Promise.race([audit.click().catch(() => undefined), page.waitForURL(/\/login\?/)]);
  await expect(page).toHaveURL(/\/login\?next=%2F(audit|keys)$/);
  const back = new URL(page.url()).searchParams.get("next") ?? "";
  await expect(page.getByText("Your session has ended")).toBeVisible();
  await submitLogin(page, admin.email, admin.password);
  await expect(page).toHaveURL(new RegExp(`${back}$`));
});

test("changing the password: the new one works, the old one no longer does", async ({ page }) => {
  const finance = userFor("finance");
  const newPassword = `${finance.password}-changed-1`;

  async function changePassword(current: string, next: string) {
    await page.goto("/settings");
    await page.getByLabel("Current password").fill(current);
    await page.getByLabel("New password", { exact: true }).fill(next);
    await page.getByLabel("Confirm new password").fill(next);
    await page.getByRole("button", { name: "Change password" }).click();
  }

  await login(page, finance);

  // A wrong current password is reported on its field.
  await changePassword("certainly-not-my-password", newPassword);
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("The current password is not correct")).toBeVisible();

  await changePassword(finance.password, newPassword);
  await expect(page.getByText("Password changed")).toBeVisible();
  await logout(page);

  await submitLogin(page, finance.email, finance.password);
  await expect(page.getByRole("alert")).toContainText("Email or password is incorrect");

  await login(page, { email: finance.email, password: newPassword });
  // Put it back so that the other tests can still sign in as finance.
  await changePassword(newPassword, finance.password);
  await expect(page.getByText("Password changed")).toBeVisible();
});
