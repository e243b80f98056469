/**
 * API keys in the dashboard, checked against the real proxy: a key created in the UI works at once
 * with the secret shown once, a revoked key is refused within seconds, a rotation with no grace
 * period kills the old secret and the new one works, and the forms show their errors inline.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { expect, login, test, userFor } from "./fixtures.ts";

type ProxyAnswer = { status: number; code: string | null };

function proxyUrl(): string {
  const url = process.env.E2E_PROXY_URL;
  if (!url) throw new Error("E2E_PROXY_URL is not set: run the tests through playwright.config.ts");
  return url;
}

async function chat(secret: string): Promise<ProxyAnswer> {
  const res = await fetch(`${proxyUrl()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mock-gpt", messages: [{ role: "user", content: "hello" }] }),
  });
  const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
  return { status: res.status, code: body?.error?.code ?? null };
}

/** Asks the proxy until it gives the expected answer; config changes reach it within a second. */
async function expectProxy(secret: string, expected: ProxyAnswer | { status: 200 }): Promise<void> {
  await expect
    .poll(
      async () => {
        const answer = await chat(secret);
        return "code" in expected ? answer : { status: answer.status };
      },
      { timeout: 5_000, intervals: [100] },
    )
    .toEqual(expected);
}

const unique = (name: string) => `${name} ${Date.now().toString(36)}`;

// A desktop window, where every column the tests read shows (narrower ones hide the lower-priority ones).
test.use({ viewport: { width: 1440, height: 900 } });

async function openKeys(page: Page): Promise<void> {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await login(page, userFor("admin"));
  await page.goto("/keys");
  await expect(page.getByRole("heading", { level: 1, name: "Keys" })).toBeVisible();
  await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
}

/** Creates a key through the dialog and returns the secret the show-once dialog gave (via Copy). */
async function createKey(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("combobox", { name: "Owner" }).click();
  await page.getByRole("option", { name: "Platform" }).click();
  await dialog.getByRole("checkbox", { name: "mock-gpt", exact: true }).check();
  await dialog.getByLabel("Requests per minute").fill("600");
  await dialog.getByLabel("Tags").fill("e2e, checkout");
  await dialog.getByRole("button", { name: "Add metadata" }).click();
  await dialog.getByLabel("Metadata key 1").fill("service");
  await dialog.getByLabel("Metadata value 1").fill("checkout");
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Copy your secret now" });
  await expect(shown).toContainText("won't be shown again");
  await shown.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(shown.getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  await expect(shown.getByTestId("issued-secret")).toHaveText(copied);
  expect(copied).toMatch(/^sk-sy-[0-9A-Za-z]{20,}$/);
  await shown.getByRole("button", { name: "I have copied it" }).click();
  await expect(shown).toBeHidden();
  return copied;
}

function row(page: Page, name: string) {
  return page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name });
}

async function keyAction(page: Page, name: string, action: "Edit" | "Rotate secret" | "Revoke") {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

test("a key created in the dashboard works at once with the secret shown once, and revoking it is enforced", async ({
  page,
}) => {
  await openKeys(page);
  const name = unique("checkout e2e");
  const secret = await createKey(page, name);

  const created = row(page, name);
  await expect(created).toContainText(`${secret.slice(0, 12)}…`);
  await expect(created).toContainText("Platform");
  await expect(created).toContainText("mock-gpt");
  await expect(created).toContainText("600 rpm");
  await expect(created).toContainText("checkout");
  await expect(created).toContainText("active");
  // The full secret is nowhere on the page once its dialog is closed.
  await expect(page.getByText(secret)).toHaveCount(0);

  await expectProxy(secret, { status: 200 });

  await keyAction(page, name, "Revoke");
  const confirm = page.getByRole("dialog", { name: `Revoke "${name}"?` });
  await expect(confirm).toContainText("Every proxy refuses it within a second");
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(confirm).toBeHidden();
  await expectProxy(secret, { status: 401, code: "key_revoked" });

  await expect(row(page, name)).toHaveCount(0);
  await page.getByLabel("Show revoked keys").click();
  await expect(row(page, name)).toContainText("revoked");
  await expect(page.getByRole("button", { name: `Actions for ${name}` })).toHaveCount(0);
});

test("rotating with no grace period refuses the old secret and accepts the new one", async ({ page }) => {
  await openKeys(page);
  const name = unique("rotate e2e");
  const oldSecret = await createKey(page, name);
  await expectProxy(oldSecret, { status: 200 });

  await keyAction(page, name, "Rotate secret");
  const dialog = page.getByRole("dialog", { name: `Rotate "${name}"` });
  await dialog.getByLabel("Old secret stays valid for").fill("0");
  await expect(dialog).toContainText("the old secret stops working immediately");
  await dialog.getByRole("button", { name: "Rotate secret" }).click();

  const shown = page.getByRole("dialog", { name: "Copy your secret now" });
  const newSecret = (await shown.getByTestId("issued-secret").textContent()) ?? "";
  expect(newSecret).toMatch(/^sk-sy-/);
  expect(newSecret).not.toBe(oldSecret);
  await shown.getByRole("button", { name: "I have copied it" }).click();

  await expectProxy(oldSecret, { status: 401, code: "invalid_api_key" });
  await expectProxy(newSecret, { status: 200 });
  // Same key, new secret: the row shows only the new prefix.
  await expect(row(page, name)).toContainText(`${newSecret.slice(0, 12)}…`);
  await expect(row(page, name)).not.toContainText(`${oldSecret.slice(0, 12)}…`);
});

test("a rotation with a grace period shows both secrets and when the old one dies", async ({ page }) => {
  await openKeys(page);
  const name = unique("grace e2e");
  const oldSecret = await createKey(page, name);

  await keyAction(page, name, "Rotate secret");
  const dialog = page.getByRole("dialog", { name: `Rotate "${name}"` });
  await dialog.getByLabel("Old secret stays valid for").fill("2");
  await dialog.getByRole("combobox", { name: "Grace period unit" }).click();
  await page.getByRole("option", { name: "hours" }).click();
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  const shown = page.getByRole("dialog", { name: "Copy your secret now" });
  const newSecret = (await shown.getByTestId("issued-secret").textContent()) ?? "";
  await shown.getByRole("button", { name: "I have copied it" }).click();

  const rotated = row(page, name);
  await expect(rotated).toContainText(`${newSecret.slice(0, 12)}…`);
  await expect(rotated).toContainText(`${oldSecret.slice(0, 12)}…`);
  await expect(rotated).toContainText("old secret valid until");
  await expect(rotated).toContainText("rotation pending");
  await expectProxy(newSecret, { status: 200 });
  await expectProxy(oldSecret, { status: 200 });
});

test("the create form shows its errors under the fields", async ({ page }) => {
  await openKeys(page);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create key" });
  await dialog.getByLabel("Requests per minute").fill("lots");
  await dialog.getByRole("switch", { name: "Rotate the secret automatically" }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();

  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog).toContainText("Give the key a name");
  await expect(dialog).toContainText("Choose the user or team that owns the key");
  await expect(dialog.getByLabel("Requests per minute")).toHaveAccessibleDescription(/Enter a whole number/);
  await expect(dialog.getByLabel("Notify webhook URL")).toHaveAccessibleDescription(/needs a webhook/);

  await dialog.getByLabel("Notify webhook URL").fill("not a url");
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByLabel("Notify webhook URL")).toHaveAccessibleDescription(
    /http:\/\/ or https:\/\//,
  );
  // Nothing was created.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
});

test("an edit that lost a race says so and can reload the other version", async ({ page, context }) => {
  await openKeys(page);
  const name = unique("edit e2e");
  await createKey(page, name);

  await keyAction(page, name, "Edit");
  const mine = page.getByRole("dialog", { name: "Edit key" });
  await expect(mine.getByLabel("Name")).toHaveValue(name);

  // Someone else (another tab of the same admin) saves first.
  const other = await context.newPage();
  await other.goto("/keys");
  await keyAction(other, name, "Edit");
  const theirs = other.getByRole("dialog", { name: "Edit key" });
  await theirs.getByLabel("Tokens per minute").fill("5000");
  await theirs.getByRole("button", { name: "Save changes" }).click();
  await expect(theirs).toBeHidden();
  await other.close();

  await mine.getByLabel("Requests per minute").fill("42");
  await mine.getByRole("button", { name: "Save changes" }).click();
  await expect(mine.getByRole("alert")).toContainText("Someone else saved this key first");
  await expect(mine.getByRole("button", { name: "Save changes" })).toBeDisabled();
  await mine.getByRole("button", { name: "Reload" }).click();
  await expect(mine.getByLabel("Tokens per minute")).toHaveValue("5000");
  await expect(mine.getByLabel("Requests per minute")).toHaveValue("600");

  await mine.getByLabel("Requests per minute").fill("42");
  await mine.getByRole("button", { name: "Save changes" }).click();
  await expect(mine).toBeHidden();
  await expect(row(page, name)).toContainText("42 rpm");
  await expect(row(page, name)).toContainText("5,000 tpm");
});

test("closing a dialog opened from a row's menu gives focus back to that menu's button", async ({ page }) => {
  await openKeys(page);
  const menu = page.getByRole("button", { name: "Actions for Demo key" });
  for (const [action, dialog] of [
    ["Edit", "Edit key"],
    ["Rotate secret", 'Rotate "Demo key"'],
    ["Revoke", 'Revoke "Demo key"?'],
  ] as const) {
    await keyAction(page, "Demo key", action);
    await expect(page.getByRole("dialog", { name: dialog })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(menu).toBeFocused();
  }
  // From the keyboard too: the menu opens with Enter and the dialog closes with Cancel.
  await menu.press("Enter");
  await page.getByRole("menuitem", { name: "Edit" }).press("Enter");
  await page.getByRole("dialog", { name: "Edit key" }).getByRole("button", { name: "Cancel" }).click();
  await expect(menu).toBeFocused();
});

test("the notifications bell is in the header for every role", async ({ page }) => {
  for (const role of ["admin", "reviewer", "finance"] as const) {
    await login(page, userFor(role));
    const bell = page.getByRole("button", { name: /^Notifications/ });
    await expect(bell).toBeVisible();
    await bell.click();
    await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
    await page.keyboard.press("Escape");
    await page.context().clearCookies();
  }
});

test("screenshots of the keys page, its dialogs and the bell, in both themes", async ({ page }) => {
  const dir = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await openKeys(page);
  for (const theme of ["light", "dark"] as const) {
    if (theme === "dark") await page.getByRole("button", { name: "Switch to dark theme" }).click();
    await expect(row(page, "Demo key")).toBeVisible();
    await page.screenshot({ path: `${dir}keys-${theme}.png`, fullPage: true, animations: "disabled" });

    await page.getByRole("button", { name: "Create key" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create key" });
    await dialog.getByRole("switch", { name: "Rotate the secret automatically" }).click();
    await dialog.getByRole("button", { name: "Add metadata" }).click();
    await dialog.getByRole("button", { name: "Create key" }).click();
    await expect(dialog).toContainText("Give the key a name");
    await page.screenshot({ path: `${dir}key-create-errors-${theme}.png`, animations: "disabled" });
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: /^Notifications/ }).click();
    await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
    await page.screenshot({ path: `${dir}notifications-${theme}.png`, animations: "disabled" });
    await page.keyboard.press("Escape");
  }
  await page.getByRole("button", { name: "Switch to light theme" }).click();
});
