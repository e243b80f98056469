/**
 * Admin API tokens in the dashboard, used the way a script uses them: a token created in the UI
 * (its secret shown once, Escape asking before it is lost) calls the tRPC API with
 * `Authorization: Bearer` through the dashboard's own /trpc, and is refused once revoked.
 */
import type { Page } from "@playwright/test";
import { expect, login, test, userFor } from "./fixtures.ts";

type Answer = { status: number; message: string | null; data: unknown };

/** A tRPC call as curl makes it: no cookie, no Origin, the token as Bearer. */
async function call(baseURL: string, secret: string, path: string, input: unknown, method: "GET" | "POST") {
  const url =
    method === "GET"
      ? `${baseURL}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
      : `${baseURL}/trpc/${path}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify(input) : undefined,
  });
  const body = (await res.json()) as { result?: { data: unknown }; error?: { message: string } };
  return {
    status: res.status,
    message: body.error?.message ?? null,
    data: body.result?.data,
  } satisfies Answer;
}

function row(page: Page, name: string) {
  return page.getByRole("table", { name: "API tokens" }).getByRole("row").filter({ hasText: name });
}

test("a token created in the dashboard works with fetch until it is revoked", async ({ page, baseURL }) => {
  const name = `terraform ${Date.now().toString(36)}`;
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await login(page, userFor("admin"));
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();

  await page.getByRole("button", { name: "Create token" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API token" });
  // An empty name is refused inline, and the field gets the focus.
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByText("Give the token a name")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toBeFocused();
  await dialog.getByLabel("Name").fill(name);
  await expect(dialog.getByText("Give the token a name")).toBeHidden();
  await dialog.getByRole("combobox", { name: "Expires after" }).click();
  await page.getByRole("option", { name: "30 days" }).click();
  await dialog.getByRole("button", { name: "Create token" }).click();

  const shown = page.getByRole("dialog", { name: "Copy your token now" });
  await expect(shown).toContainText("won't be shown again");
  // Escape does not throw the secret away without asking.
  await page.keyboard.press("Escape");
  await expect(shown.getByText("Close without copying?")).toBeVisible();
  await shown.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(shown.getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  const secret = await page.evaluate(() => navigator.clipboard.readText());
  expect(secret).toMatch(/^sy_admin_[0-9A-Za-z]{40}$/);
  await expect(shown.getByTestId("issued-secret")).toHaveText(secret);
  await shown.getByRole("button", { name: "I have copied it" }).click();
  await expect(shown).toBeHidden();

  const cell = (column: string) => row(page, name).locator(`[data-column="${column}"]`);
  await expect(cell("role")).toHaveText("admin");
  await expect(cell("status")).toHaveText("active");
  await expect(cell("lastUsed")).toHaveText("Never");
  await expect(cell("createdBy")).toHaveText("Ada Admin");
  const expires = Date.parse((await cell("expires").locator("time").getAttribute("datetime")) ?? "");
  expect(Math.round((expires - Date.now()) / 86_400_000)).toBe(30);
  await expect(cell("name")).toContainText(secret.slice(0, 15));

  // The token, from a script: list the keys, create one.
  const base = baseURL!;
  const keys = await call(base, secret, "keys.list", {}, "GET");
  expect(keys.status, keys.message ?? "").toBe(200);
  const owners = (await call(base, secret, "keys.formOptions", undefined, "GET")).data as {
    teams: { id: string }[];
  };
  const created = await call(
    base,
    secret,
    "keys.create",
    {
      name: `from ${name}`,
      owner: { type: "team", id: owners.teams[0]!.id },
      allowedModels: [],
      tags: [],
      metadata: {},
    },
    "POST",
  );
  expect(created.status, created.message ?? "").toBe(200);
  expect((created.data as { secret: string }).secret).toMatch(/^sk-sy-/);

  // The list shows it was used.
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(cell("lastUsed")).not.toHaveText("Never");

  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke "${name}"?` });
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, name)).toHaveCount(0);
  await page.getByLabel("Show revoked tokens").click();
  await expect(cell("status")).toContainText("revoked");
  await expect(page.getByRole("button", { name: `Actions for ${name}` })).toHaveCount(0);

  const refused = await call(base, secret, "keys.list", {}, "GET");
  expect(refused.status).toBe(401);
  expect(refused.message).toContain("revoked");
});
