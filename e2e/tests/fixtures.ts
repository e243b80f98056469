/**
 * Shared test setup: the dashboard URL and the demo users that global-setup.ts publishes through the
 * environment, and helpers to sign in and out through the UI as a user would.
 */
import { test as base, expect, type Page } from "@playwright/test";
import { Role } from "@switchyard/core";
import { z } from "zod";

const E2EUsers = z.array(z.object({ email: z.string(), password: z.string(), role: Role }));
export type E2EUser = z.infer<typeof E2EUsers>[number];

function readUsers(): E2EUser[] {
  const raw = process.env.E2E_USERS;
  if (!raw)
    throw new Error("E2E_USERS is not set: run the tests through playwright.config.ts (global setup)");
  return E2EUsers.parse(JSON.parse(raw));
}

export function userFor(role: Role): E2EUser {
  const user = readUsers().find((u) => u.role === role);
  if (!user) throw new Error(`E2E_USERS has no ${role}`);
  return user;
}

export const test = base.extend({
  // Read here rather than in the config: the URL exists only once global setup has started the stack.
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error("E2E_BASE_URL is not set: run the tests through playwright.config.ts");
    await use(url);
  },
});

export { expect };

/** Fills the login form and submits it; does not wait for where the app goes next. */
export async function submitLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in from the login page and waits until the app has left it. */
export async function login(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto("/login");
  await submitLogin(page, user.email, user.password);
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole("button", { name: /^Account menu/ })).toBeVisible();
}

export async function logout(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Calls a tRPC procedure from the page as the dashboard does (same origin, the session cookie). */
export async function callTrpc<T = unknown>(
  page: Page,
  path: string,
  input: unknown,
  kind: "query" | "mutation",
): Promise<T> {
  return page.evaluate(
    async ({ path, input, kind }) => {
      const encoded = encodeURIComponent(JSON.stringify(input));
      const res =
        kind === "query"
          ? await fetch(`/trpc/${path}?input=${encoded}`)
          : await fetch(`/trpc/${path}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(input),
            });
      const body = await res.json();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return body.result.data;
    },
    { path, input, kind },
  ) as Promise<T>;
}
