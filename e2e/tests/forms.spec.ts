/**
 * How the dashboard's forms and dialogs behave for someone using them the first time: an error
 * goes away as soon as its field is fixed, a failed submit (the browser's checks or the server's)
 * puts focus on the first field in error, the show-once secret is not lost to Escape, three clicks
 * on Create make one key whose secret is the one shown, and a long key name stays inside its
 * dialogs. Screenshots go to test-results/screenshots/ for review.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "@playwright/test";
import type { KeyFormOptions, KeyView, KeyWithSecret } from "@switchyard/core";
import { callTrpc, expect, login, test, userFor } from "./fixtures.ts";

const shots = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
const unique = (name: string) => `${name} ${Date.now().toString(36)}`;

test.use({ viewport: { width: 1440, height: 900 } });
test.beforeAll(() => mkdirSync(shots, { recursive: true }));

async function openKeys(page: Page): Promise<void> {
  await login(page, userFor("admin"));
  await page.goto("/keys");
  await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
}

/** Creates a key through the API, as another admin would. */
async function apiKey(page: Page, name: string): Promise<KeyWithSecret> {
  const options = await callTrpc<KeyFormOptions>(page, "keys.formOptions", undefined, "query");
  const team = options.teams[0];
  if (!team) throw new Error("the demo data has no team");
  return callTrpc<KeyWithSecret>(
    page,
    "keys.create",
    { name, owner: { type: "team", id: team.id }, allowedModels: [], tags: [], metadata: {} },
    "mutation",
  );
}

async function keysNamed(page: Page, name: string): Promise<KeyView[]> {
  const { items } = await callTrpc<{ items: KeyView[] }>(page, "keys.list", { search: name }, "query");
  return items.filter((k) => k.name === name);
}

async function fillNewKey(page: Page, dialog: Locator, name: string): Promise<void> {
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("combobox", { name: "Owner" }).click();
  await page.getByRole("option", { name: "Platform" }).click();
}

async function keyAction(page: Page, name: string, action: "Edit" | "Rotate secret" | "Revoke") {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

/** The dialog lies inside the window, and nothing in it is wider than the dialog. */
async function expectContained(page: Page, dialog: Locator): Promise<void> {
  const viewport = page.viewportSize();
  const box = await dialog.boundingBox();
  if (!viewport || !box) throw new Error("no dialog box");
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  const overflowing = await dialog.evaluate((root) => {
    const outer = root.getBoundingClientRect();
    return [...root.querySelectorAll<HTMLElement>("h2, p, button, input")]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return (
          r.right > outer.right + 0.5 || r.left < outer.left - 0.5 || el.scrollWidth > el.clientWidth + 1
        );
      })
      .map((el) => el.outerHTML.slice(0, 80));
  });
  expect(overflowing).toEqual([]);
}

async function expectLevel(a: Locator, b: Locator): Promise<void> {
  const [boxA, boxB] = [await a.boundingBox(), await b.boundingBox()];
  expect(Math.abs((boxA?.y ?? 0) - (boxB?.y ?? -100))).toBeLessThanOrEqual(1);
}

test("Escape on the show-once secret asks before the secret is lost", async ({ page }) => {
  await openKeys(page);
  const name = unique("escape e2e");
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await fillNewKey(page, dialog, name);
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Copy your secret now" });
  await expect(shown.getByTestId("issued-secret")).toHaveText(/^sk-sy-/);
  await page.keyboard.press("Escape");
  await expect(shown).toBeVisible();
  await expect(shown.getByRole("alert")).toContainText("Close without copying?");
  await page.screenshot({ path: `${shots}secret-escape.png`, animations: "disabled" });

  // Still there to copy; then the user decides to close without it.
  await expect(shown.getByTestId("issued-secret")).toHaveText(/^sk-sy-/);
  await shown.getByRole("button", { name: "Close without copying" }).click();
  await expect(shown).toBeHidden();
});

test("three clicks on Create in the same instant make one key, and its secret is the one shown", async ({
  page,
}) => {
  await openKeys(page);
  const name = unique("triple e2e");
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await fillNewKey(page, dialog, name);

  // Calls, not HTTP requests: the tRPC client batches calls made in the same tick into one request.
  const creates: string[] = [];
  page.on("request", (request) => {
    const { pathname } = new URL(request.url());
    if (!pathname.startsWith("/trpc/")) return;
    for (const call of pathname.slice("/trpc/".length).split(","))
      if (call === "keys.create") creates.push(call);
  });
  await dialog.getByRole("button", { name: "Create key" }).evaluate((button: HTMLButtonElement) => {
    button.click();
    button.click();
    button.click();
  });

  const shown = page.getByRole("dialog", { name: "Copy your secret now" });
  await expect(shown.getByTestId("issued-secret")).toHaveText(/^sk-sy-/);
  const secret = (await shown.getByTestId("issued-secret").textContent()) ?? "";
  await expect(shown).toContainText(name);
  expect(creates).toHaveLength(1);

  const keys = await keysNamed(page, name);
  expect(keys).toHaveLength(1);
  const prefix = keys[0]?.secrets[0]?.prefix ?? "(none)";
  expect(secret.startsWith(prefix)).toBe(true);
  await shown.getByRole("button", { name: "I have copied it" }).click();
});

test("a failed submit focuses the first error, and each error goes as soon as its field is fixed", async ({
  page,
}) => {
  await openKeys(page);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await dialog.getByLabel("Requests per minute").fill("lots");
  await dialog.getByRole("switch", { name: "Rotate the secret automatically" }).click();
  await expect(dialog.getByLabel("Notify webhook URL")).toHaveAccessibleDescription(
    /^Required for scheduled rotation/,
  );
  await dialog.getByRole("button", { name: "Create key" }).click();

  const nameBox = dialog.getByLabel("Name");
  await expect(nameBox).toBeFocused();
  await expect(nameBox).toHaveAccessibleDescription("Give the key a name");
  await page.screenshot({ path: `${shots}form-errors.png`, animations: "disabled" });
  // Side by side, a field with a two-line error and one without keep their labels and boxes level.
  await expectLevel(dialog.getByText("Owner", { exact: true }), dialog.getByText("Expires", { exact: true }));
  await expectLevel(dialog.getByRole("combobox", { name: "Owner" }), dialog.getByLabel("Expires"));
  await expectLevel(dialog.getByLabel("Requests per minute"), dialog.getByLabel("Tokens per minute"));

  await dialog.getByLabel("Notify webhook URL").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}form-errors-rotation.png`, animations: "disabled" });

  // Fixed: the error goes while typing, before any new submit; the others stay.
  await nameBox.fill("fixed name");
  await expect(nameBox).not.toHaveAttribute("aria-invalid");
  await expect(dialog).not.toContainText("Give the key a name");
  await expect(dialog.getByLabel("Requests per minute")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Requests per minute").fill("60");
  await expect(dialog.getByLabel("Requests per minute")).not.toHaveAttribute("aria-invalid");

  // The next submit lands on the first field still in error: the owner.
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByRole("combobox", { name: "Owner" })).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("a field error from the server shows under its field, with focus on it", async ({ page }) => {
  await openKeys(page);
  const name = unique("taken e2e");
  await apiKey(page, name);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await fillNewKey(page, dialog, name);
  await dialog.getByLabel("Tags").focus();
  await dialog.getByRole("button", { name: "Create key" }).click();

  const nameBox = dialog.getByLabel("Name");
  await expect(nameBox).toHaveAttribute("aria-invalid", "true");
  await expect(nameBox).toBeFocused();
  await nameBox.fill(`${name} 2`);
  await expect(nameBox).not.toHaveAttribute("aria-invalid");
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("the grace period's maximum is said in the unit chosen", async ({ page }) => {
  await openKeys(page);
  const name = unique("grace e2e");
  await apiKey(page, name);
  await page.reload();
  await keyAction(page, name, "Rotate secret");
  const dialog = page.getByRole("dialog", { name: /^Rotate/ });
  await dialog.getByLabel("Old secret stays valid for").fill("200");
  await dialog.getByRole("combobox", { name: "Grace period unit" }).click();
  await page.getByRole("option", { name: "hours" }).click();
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  await expect(dialog.getByLabel("Old secret stays valid for")).toHaveAccessibleDescription(
    "Use at most 168 hours (7 days)",
  );
  await expect(dialog.getByLabel("Old secret stays valid for")).toBeFocused();
  await dialog.getByRole("combobox", { name: "Grace period unit" }).click();
  await page.getByRole("option", { name: "minutes" }).click();
  await expect(dialog.getByLabel("Old secret stays valid for")).toHaveAccessibleDescription(/^Until about/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("the conflict alert says Reload once", async ({ page }) => {
  await openKeys(page);
  const name = unique("conflict e2e");
  const { key } = await apiKey(page, name);
  await page.reload();
  await keyAction(page, name, "Edit");
  const dialog = page.getByRole("dialog", { name: "Edit key" });
  await expect(dialog.getByLabel("Name")).toHaveValue(name);
  await callTrpc(page, "keys.update", { id: key.id, version: key.version, rpm: 5 }, "mutation");
  await dialog.getByLabel("Tokens per minute").fill("100");
  await dialog.getByRole("button", { name: "Save changes" }).click();
  const alert = dialog.getByRole("alert");
  await expect(alert).toContainText("Someone else saved this key first");
  const text = ((await alert.textContent()) ?? "").match(/reload/gi) ?? [];
  expect(text).toHaveLength(1);
  await page.screenshot({ path: `${shots}conflict-alert.png`, animations: "disabled" });
  await alert.getByRole("button", { name: "Reload" }).click();
  await expect(dialog.getByLabel("Requests per minute")).toHaveValue("5");
});

for (const width of [1440, 390]) {
  test(`a 100-character key name stays inside the Rotate and Revoke dialogs at ${width} px`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    await openKeys(page);
    // One unbroken word: the worst case for wrapping.
    const name = Date.now().toString(36).padEnd(100, "longkeyname");
    expect(name).toHaveLength(100);
    await apiKey(page, name);
    await page.reload();

    await keyAction(page, name, "Rotate secret");
    const rotate = page.getByRole("dialog", { name: /^Rotate/ });
    await expect(rotate).toContainText(name);
    await expectContained(page, rotate);
    await page.screenshot({ path: `${shots}long-name-rotate-${width}.png`, animations: "disabled" });
    await rotate.getByRole("button", { name: "Cancel" }).click();

    await keyAction(page, name, "Revoke");
    const revoke = page.getByRole("dialog", { name: /^Revoke/ });
    await expect(revoke).toContainText(name);
    await expectContained(page, revoke);
    await page.screenshot({ path: `${shots}long-name-revoke-${width}.png`, animations: "disabled" });
    await revoke.getByRole("button", { name: "Cancel" }).click();
  });
}

test("Settings and sign-in ask for what is missing", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter your email");
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.getByLabel("Email").fill("someone@example.com");
  await expect(page.getByLabel("Email")).not.toHaveAttribute("aria-invalid");

  await login(page, userFor("admin"));
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Change password" });
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByLabel("Current password")).toHaveAccessibleDescription(
    "Enter your current password",
  );
  await expect(form.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(
    /Enter a new password/,
  );
  await expect(form).not.toContainText("must differ");
  await expect(form.getByLabel("Current password")).toBeFocused();
  await page.screenshot({ path: `${shots}settings-missing.png`, animations: "disabled" });
});
