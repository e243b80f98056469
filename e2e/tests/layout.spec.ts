/**
 * Layout at a desktop window (1440×900) and a phone (390×844): no built page scrolls sideways, and
 * every table keeps its always-visible columns (name, status, actions) inside the window, with
 * several keys (one with a 100-character name, one revoked), four providers, the demo deployments and
 * a full audit log.
 * Screenshots of each page at both widths go to test-results/screenshots/ for review.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { callTrpc as call, expect, login, test, userFor } from "./fixtures.ts";

// E2E_SCREENSHOT_DIR keeps them somewhere a later run's clean-up of test-results/ does not reach.
const dir = process.env.E2E_SCREENSHOT_DIR
  ? `${process.env.E2E_SCREENSHOT_DIR.replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));

const windows = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

const suffix = Date.now().toString(36);
const longName =
  `Checkout service production key for the payments team in eu-west with a long name ${suffix}`.slice(0, 100);

type Options = { teams: { id: string; name: string }[] };
type Created = { key: { id: string } };
type Providers = { items: { name: string; baseUrl: string }[] };

let seeded: { revokedName: string } | undefined;

/** Keys (a long name, tags, limits, a revoked one in its rotation grace) and four providers, once. */
async function seed(page: Page): Promise<{ revokedName: string }> {
  seeded ??= await createSeed(page);
  return seeded;
}

async function createSeed(page: Page): Promise<{ revokedName: string }> {
  const options = await call<Options>(page, "keys.formOptions", undefined, "query");
  const owner = { type: "team", id: options.teams[0]!.id };
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const key = (name: string, extra: object = {}) =>
    call<Created>(
      page,
      "keys.create",
      { name, owner, allowedModels: [], tags: ["layout", "e2e"], metadata: {}, ...extra },
      "mutation",
    );
  await key(longName, { rpm: 1200, tpm: 250_000, expiresAt: inDays(30) });
  await key(`layout short ${suffix}`);
  const revokedName = `layout revoked ${suffix}`;
  const revoked = await key(revokedName, { expiresAt: inDays(30) });
  await call(page, "keys.rotate", { id: revoked.key.id, graceMinutes: 120 }, "mutation");
  await call(page, "keys.revoke", { id: revoked.key.id }, "mutation");

  const providers = await call<Providers>(page, "providers.list", undefined, "query");
  const base = providers.items.find((p) => p.name === "mock-provider")!.baseUrl;
  for (let i = providers.items.length; i < 4; i++) {
    await call(
      page,
      "providers.create",
      {
        name: `layout-provider-${i}-with-a-longer-name-${suffix}`,
        kind: "openai",
        baseUrl: `${base.replace(/\/v1$/, "")}/some/deeper/path/for/provider/${i}/v1`,
        apiKey: `sk-layout-${i}-secret-${suffix}`,
        inCluster: true,
      },
      "mutation",
    );
  }
  return { revokedName };
}

/** The page does not scroll sideways, and these columns of each row are inside the window. */
async function expectFits(page: Page, table: string | null, columns: readonly string[]): Promise<void> {
  const width = page.viewportSize()!.width;
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(width);
  if (!table) return;
  const rows = page
    .getByRole("table", { name: table, exact: true })
    .locator("tbody > tr:has(td[data-column])");
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    for (const column of columns) {
      const cell = rows.nth(i).locator(`td[data-column="${column}"]`);
      const box = await cell.boundingBox();
      expect(box, `${table} row ${i}: the ${column} cell is shown`).not.toBeNull();
      expect(box!.x, `${table} row ${i}: ${column} starts inside the window`).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, `${table} row ${i}: ${column} ends inside the window`).toBeLessThanOrEqual(
        width,
      );
    }
  }
}

const pages = [
  { path: "/keys", heading: "Keys", table: "API keys", columns: ["name", "status", "actions"] },
  { path: "/providers", heading: "Providers", table: "Providers", columns: ["name", "actions"] },
  { path: "/audit", heading: "Audit log", table: "Audit log", columns: ["changes", "time", "action"] },
  { path: "/settings", heading: "Settings", table: null, columns: [] },
  { path: "/routing", heading: "Routing", table: "Deployments", columns: ["upstreamModel", "actions"] },
] as const;

test("no page scrolls sideways and each table keeps its status and actions in view, at 1440 and 390 px", async ({
  page,
}) => {
  test.setTimeout(90_000);
  mkdirSync(dir, { recursive: true });
  await login(page, userFor("admin"));
  const { revokedName } = await seed(page);

  for (const window of windows) {
    await page.setViewportSize({ width: window.width, height: window.height });
    for (const p of pages) {
      await page.goto(p.path);
      await expect(page.getByRole("heading", { level: 1, name: p.heading })).toBeVisible();
      if (p.table) {
        await expect(page.getByRole("table", { name: p.table, exact: true })).not.toHaveAttribute(
          "aria-busy",
          "true",
        );
      }
      if (p.path === "/keys") {
        await page.getByLabel("Show revoked keys").click();
        await expect(page.getByRole("row").filter({ hasText: revokedName })).toBeVisible();
      }
      if (p.path === "/providers") {
        await expect
          .poll(() => page.getByRole("table", { name: "Providers" }).locator("tbody > tr").count())
          .toBeGreaterThanOrEqual(4);
      }
      await expectFits(page, p.table, p.columns);
      await page.screenshot({
        path: `${dir}layout-${p.path.slice(1)}-${window.name}.png`,
        fullPage: true,
        animations: "disabled",
      });
    }
  }
});

test("a revoked key looks revoked: no grace period, no expiry", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, userFor("admin"));
  const { revokedName } = await seed(page);
  await page.goto("/keys");
  await page.getByLabel("Show revoked keys").click();
  const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: revokedName });
  await expect(row.locator('td[data-column="status"]')).toContainText("revoked");
  await expect(row.locator('td[data-column="status"]')).toContainText(/revoked (now|.+ ago)/);
  await expect(row).not.toContainText("valid until");
  await expect(row.locator('td[data-column="expires"]')).toHaveText("—");
  await expect(page.getByRole("button", { name: `Actions for ${revokedName}` })).toHaveCount(0);
});

test("a long name is cut with an ellipsis and its tooltip shows it whole", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page, userFor("admin"));
  await page.goto("/keys");
  const name = page
    .getByRole("table", { name: "API keys" })
    .locator('td[data-column="name"] [data-slot="truncated-text"]')
    .filter({ hasText: "Checkout service production key" })
    .first();
  await expect(name).toBeVisible();
  expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await name.hover();
  await expect(page.getByRole("tooltip")).toContainText(
    "Checkout service production key for the payments team",
  );
});

test("on a phone the sections are behind a menu button, and the lower-priority columns make way", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, userFor("admin"));
  await page.goto("/keys");
  // The columns the phone leaves out are one tap away, in the row's details.
  const keys = page.getByRole("table", { name: "API keys" });
  await expect(keys.locator('th[data-column="secret"]')).toHaveCount(0);
  await page.getByRole("button", { name: "Details of Demo key" }).click();
  const details = keys.locator("dl");
  await expect(details).toContainText("Secret");
  await expect(details).toContainText("sk-sy-");
  await expect(details).toContainText("Owner");
  await expectFits(page, "API keys", ["details", "name", "status", "actions"]);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}layout-keys-details-phone.png`, animations: "disabled" });

  await expect(page.getByRole("navigation", { name: "Sections" })).toBeHidden();
  await page.getByRole("button", { name: "Open navigation" }).click();
  const nav = page.getByRole("navigation", { name: "Sections" });
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(nav).toBeHidden();

  const table = page.getByRole("table", { name: "Audit log" });
  await expect(table.locator('th[data-column="ip"]')).toHaveCount(0);
  // What the narrow table leaves out is in the entry's detail.
  await page.getByRole("button", { name: "Show changes" }).first().click();
  await expect(table.locator("dl").first()).toContainText("IP");
  await expectFits(page, "Audit log", ["changes", "time", "action"]);
});

test("the loading skeleton shows in both themes (screenshots while the keys load)", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  mkdirSync(dir, { recursive: true });
  await login(page, userFor("admin"));
  for (const theme of ["light", "dark"] as const) {
    if (theme === "dark") await page.getByRole("button", { name: "Switch to dark theme" }).click();
    // Hold the list's answer back so the skeleton stays up long enough to see.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/trpc\/[^?]*keys\.list/, async (route) => {
      await held;
      // A request the page gave up on (it navigated) has nothing left to continue.
      await route.continue().catch(() => {});
    });
    await page.goto("/keys");
    const table = page.getByRole("table", { name: "API keys" });
    await expect(table).toHaveAttribute("aria-busy", "true");
    await expect(table.locator('[data-slot="skeleton"]').first()).toBeVisible();
    await page.screenshot({ path: `${dir}layout-keys-loading-${theme}.png`, animations: "disabled" });
    release();
    await page.unroute(/\/trpc\/[^?]*keys\.list/);
    await expect(table).not.toHaveAttribute("aria-busy", "true");
  }
  await page.getByRole("button", { name: "Switch to light theme" }).click();
});
