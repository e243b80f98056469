/**
 * Providers in the dashboard: an API key saved once and only ever shown by its last 4 characters,
 * a credential rotation that keeps the old key as a fallback, the Test button's result, edit
 * conflicts, and deletes refused while models use the provider.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { expect, login, test, userFor } from "./fixtures.ts";

const unique = (name: string) => `${name}-${Date.now().toString(36)}`;

// A desktop window, where every column of the table shows (narrower ones hide the lower-priority ones).
test.use({ viewport: { width: 1440, height: 900 } });

async function openProviders(page: Page): Promise<void> {
  await login(page, userFor("admin"));
  await page.goto("/providers");
  await expect(page.getByRole("heading", { level: 1, name: "Providers" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Providers" })).toBeVisible();
}

function row(page: Page, name: string) {
  return page
    .getByRole("table", { name: "Providers" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name, exact: true }) });
}

/** The demo data's provider serves from the mock provider; new providers in these tests point there too. */
async function mockProviderBaseUrl(page: Page): Promise<string> {
  const url =
    (await row(page, "mock-provider").locator('td[data-column="baseUrl"]').textContent())?.trim() ?? "";
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  return url;
}

const inClusterLabel = "In-cluster (self-hosted, private network)";

/** The mock provider listens on loopback: providers pointing there are marked in-cluster. */
async function addProvider(
  page: Page,
  values: { name: string; baseUrl: string; apiKey?: string; kind?: "Anthropic"; inCluster?: boolean },
): Promise<void> {
  await page.getByRole("button", { name: "Add provider" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add provider" });
  await dialog.getByLabel("Name").fill(values.name);
  if (values.kind) {
    await dialog.getByRole("combobox", { name: "Kind" }).click();
    await page.getByRole("option", { name: values.kind }).click();
  }
  await dialog.getByLabel("Base URL").fill(values.baseUrl);
  if (values.apiKey) await dialog.getByLabel("API key").fill(values.apiKey);
  if (values.inCluster) await dialog.getByLabel(inClusterLabel).check();
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog).toBeHidden();
}

test("a provider's API key is shown only by its last 4 characters, and rotating keeps the old one as a fallback", async ({
  page,
}) => {
  await openProviders(page);
  const baseUrl = await mockProviderBaseUrl(page);
  const name = unique("e2e-openai");
  const apiKey = "sk-e2e-first-secret-9876";
  await addProvider(page, { name, baseUrl, apiKey, inCluster: true });

  const created = row(page, name);
  await expect(created).toContainText("in-cluster");
  await expect(created).toContainText("•••• 9876");
  await expect(created).toContainText("primary");
  await expect(created).toContainText("OpenAI-compatible");
  expect(await page.content()).not.toContain(apiKey);

  await created.getByRole("button", { name: `Test ${name}` }).click();
  const result = page.getByTestId("provider-test-result");
  await expect(result).toContainText("OK (200)");
  await expect(result).toContainText(/in \d+ ms: Reachable, credentials accepted/);

  await created.getByRole("button", { name: `Rotate API key of ${name}` }).click();
  const rotate = page.getByRole("dialog", { name: `Rotate API key for "${name}"` });
  await expect(rotate).toContainText("stays as a fallback");
  await expect(rotate).toContainText("•••• 9876");
  const newKey = "sk-e2e-second-secret-1234";
  await rotate.getByLabel("New API key").fill(newKey);
  await rotate.getByLabel(/Keep the old key as a fallback/).fill("30");
  await rotate.getByRole("button", { name: "Rotate key" }).click();
  await expect(rotate).toBeHidden();

  await expect(created).toContainText("•••• 1234");
  await expect(created.getByRole("listitem").filter({ hasText: "1234" })).toContainText("primary");
  const fallback = created.getByRole("listitem").filter({ hasText: "9876" });
  await expect(fallback).toContainText("fallback");
  await expect(fallback).toContainText("fallback until");
  const html = await page.content();
  expect(html).not.toContain(apiKey);
  expect(html).not.toContain(newKey);

  // Nothing uses the new provider, so it can be deleted.
  await created.getByRole("button", { name: `Delete ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Delete "${name}"?` });
  await confirm.getByRole("button", { name: "Delete provider" }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, name)).toHaveCount(0);
});

test("the Test button says what went wrong with a provider that cannot be reached", async ({ page }) => {
  await openProviders(page);
  const name = unique("e2e-unreachable");
  // Port 9 (discard) has nothing listening on the test machines.
  await addProvider(page, { name, baseUrl: "http://127.0.0.1:9/v1", inCluster: true });
  const created = row(page, name);
  await expect(created).toContainText("No API key");
  await created.getByRole("button", { name: `Test ${name}` }).click();
  const result = page.getByTestId("provider-test-result");
  await expect(result).toContainText("Failed");
  await expect(result).toContainText("Connection refused");
  await expect(result).not.toContainText("OK");
});

test("the provider forms show their errors under the fields", async ({ page }) => {
  await openProviders(page);
  await page.getByRole("button", { name: "Add provider" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add provider" });
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Name")).toHaveAccessibleDescription(/Give the provider a name/);
  await expect(dialog.getByLabel("Base URL")).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel("Name").fill(unique("e2e-bad-url"));
  await dialog.getByLabel("Base URL").fill("https://api.openai.com");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Base URL")).toHaveAccessibleDescription(/must end with \/v1/);

  await dialog.getByRole("combobox", { name: "Kind" }).click();
  await page.getByRole("option", { name: "Anthropic" }).click();
  await dialog.getByLabel("Base URL").fill("https://api.anthropic.com/v1");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Base URL")).toHaveAccessibleDescription(/without \/v1/);

  // Where a provider may be: never at a metadata address; on loopback only when marked in-cluster.
  await dialog.getByLabel("Base URL").fill("http://169.254.169.254");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Base URL")).toHaveAccessibleDescription(/cloud metadata address/);
  await dialog.getByLabel("Base URL").fill("http://127.0.0.1:8000");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Base URL")).toHaveAccessibleDescription(/tick "In-cluster"/);
  await expect(dialog.getByLabel(inClusterLabel)).not.toBeChecked();

  // A name already taken is refused by the server, under the name field too.
  await dialog.getByLabel("Name").fill("mock-provider");
  await dialog.getByLabel("Base URL").fill("https://api.anthropic.com");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog.getByLabel("Name")).toHaveAccessibleDescription(/already exists/);
});

test("a provider that models use cannot be deleted, and the disabled button says why", async ({ page }) => {
  await openProviders(page);
  const demo = row(page, "mock-provider");
  await expect(demo).toContainText("mock-gpt");
  const remove = demo.getByRole("button", { name: "Delete mock-provider" });
  await expect(remove).toBeDisabled();
  await remove.locator("..").hover();
  await expect(page.getByRole("tooltip")).toContainText("Used by mock-embed, mock-gpt, mock-gpt-mini");
});

test("an edit that lost a race says so and can reload the other version", async ({ page, context }) => {
  await openProviders(page);
  const baseUrl = await mockProviderBaseUrl(page);
  const name = unique("e2e-edit");
  await addProvider(page, { name, baseUrl, inCluster: true });

  await row(page, name)
    .getByRole("button", { name: `Edit ${name}` })
    .click();
  const mine = page.getByRole("dialog", { name: "Edit provider" });
  await expect(mine.getByLabel("Name")).toHaveValue(name);
  await expect(mine.getByLabel(inClusterLabel)).toBeChecked();

  const other = await context.newPage();
  await other.goto("/providers");
  await row(other, name)
    .getByRole("button", { name: `Edit ${name}` })
    .click();
  const theirs = other.getByRole("dialog", { name: "Edit provider" });
  await theirs.getByLabel("Name").fill(`${name}-theirs`);
  await theirs.getByRole("button", { name: "Save changes" }).click();
  await expect(theirs).toBeHidden();
  await other.close();

  await mine.getByLabel("Name").fill(`${name}-mine`);
  await mine.getByRole("button", { name: "Save changes" }).click();
  await expect(mine.getByRole("alert")).toContainText("Someone else saved this provider first");
  await mine.getByRole("button", { name: "Reload" }).click();
  await expect(mine.getByLabel("Name")).toHaveValue(`${name}-theirs`);
  await mine.getByLabel("Name").fill(`${name}-mine`);
  await mine.getByRole("button", { name: "Save changes" }).click();
  await expect(mine).toBeHidden();
  await expect(row(page, `${name}-mine`)).toHaveCount(1);
});

test("moving a provider with a stored key to another host asks for the key for that host", async ({
  page,
}) => {
  await openProviders(page);
  const baseUrl = await mockProviderBaseUrl(page);
  const name = unique("e2e-move");
  await addProvider(page, { name, baseUrl, apiKey: "sk-e2e-old-host-1111", inCluster: true });

  await row(page, name)
    .getByRole("button", { name: `Edit ${name}` })
    .click();
  const dialog = page.getByRole("dialog", { name: "Edit provider" });
  // Same host, other path: no key asked for.
  await dialog.getByLabel("Base URL").fill(baseUrl.replace(/\/v1$/, "/api/v1"));
  await expect(dialog.getByLabel("API key for the new host")).toHaveCount(0);
  // Another host: the stored key does not follow.
  const moved = baseUrl.replace("127.0.0.1", "localhost");
  await dialog.getByLabel("Base URL").fill(moved);
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog.getByLabel("API key for the new host")).toHaveAccessibleDescription(
    /another host: enter the API key/,
  );
  await dialog.getByLabel("API key for the new host").fill("sk-e2e-new-host-2222");
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toBeHidden();
  const saved = row(page, name);
  await expect(saved).toContainText(moved);
  await expect(saved).toContainText("•••• 2222");
  await expect(saved).not.toContainText("1111");
});

test("finance and reviewers cannot open the providers page", async ({ page }) => {
  for (const role of ["finance", "reviewer"] as const) {
    await login(page, userFor(role));
    await page.goto("/providers");
    await expect(page.getByRole("heading", { level: 1, name: "You don't have access" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Providers" })).toHaveCount(0);
    await page.context().clearCookies();
  }
});

test("screenshots of the providers page and its dialogs, in both themes", async ({ page }) => {
  const dir = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await openProviders(page);
  for (const theme of ["light", "dark"] as const) {
    if (theme === "dark") await page.getByRole("button", { name: "Switch to dark theme" }).click();
    const demo = row(page, "mock-provider");
    await demo.getByRole("button", { name: "Test mock-provider" }).click();
    await expect(page.getByTestId("provider-test-result")).toContainText("OK");
    await page.screenshot({ path: `${dir}providers-${theme}.png`, fullPage: true, animations: "disabled" });

    await demo.getByRole("button", { name: "Rotate API key of mock-provider" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await page.screenshot({ path: `${dir}provider-rotate-${theme}.png`, animations: "disabled" });
    await page.keyboard.press("Escape");

    await page.getByRole("button", { name: "Add provider" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add provider" });
    await dialog.getByLabel("Base URL").fill("https://api.openai.com");
    await dialog.getByRole("button", { name: "Add provider" }).click();
    await expect(dialog.getByLabel("Base URL")).toHaveAttribute("aria-invalid", "true");
    await page.screenshot({ path: `${dir}provider-create-errors-${theme}.png`, animations: "disabled" });
    await page.keyboard.press("Escape");
  }
  await page.getByRole("button", { name: "Switch to light theme" }).click();
});
