/**
 * Routing in the dashboard: a provider's models added as deployments by discovering them, an alias
 * over two of them with weights, a key that allows the alias and calls through the proxy that both
 * deployments answer (x-switchyard-deployment), an edit to ordered priority after which the first
 * one answers every call, the deletes refused while a key or an alias uses them, and an edit
 * conflict. Screenshots of the page at 1440 and 390 px go to test-results/screenshots/ for review.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { callTrpc, expect, login, test, userFor } from "./fixtures.ts";

const dir = process.env.E2E_SCREENSHOT_DIR
  ? `${process.env.E2E_SCREENSHOT_DIR.replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));

const suffix = Date.now().toString(36);

// A desktop window, where every column the test reads shows.
test.use({ viewport: { width: 1440, height: 900 } });

type Providers = { items: { name: string; baseUrl: string }[] };
type Deployments = {
  items: {
    id: string;
    providerName: string;
    upstreamModel: string;
    version: number;
    contextWindow: number | null;
    region: string | null;
  }[];
};
type Options = { teams: { id: string; name: string }[] };
type CreatedKey = { key: { id: string; name: string }; secret: string };

function proxyUrl(): string {
  const url = process.env.E2E_PROXY_URL;
  if (!url) throw new Error("E2E_PROXY_URL is not set: run the tests through playwright.config.ts");
  return url;
}

async function chat(secret: string, model: string): Promise<{ status: number; deployment: string | null }> {
  const res = await fetch(`${proxyUrl()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello" }] }),
  });
  await res.body?.cancel();
  return { status: res.status, deployment: res.headers.get("x-switchyard-deployment") };
}

function table(page: Page, name: "Deployments" | "Aliases") {
  return page.getByRole("table", { name, exact: true });
}

function row(page: Page, name: "Deployments" | "Aliases", text: string) {
  return table(page, name).getByRole("row").filter({ hasText: text });
}

/** A provider of its own on the mock provider, so that none of its models are deployments yet. */
async function addProvider(page: Page): Promise<string> {
  const providers = await callTrpc<Providers>(page, "providers.list", undefined, "query");
  const baseUrl = providers.items.find((p) => p.name === "mock-provider")!.baseUrl;
  const name = `e2e-routing-${suffix}`;
  await callTrpc(page, "providers.create", { name, kind: "openai", baseUrl, inCluster: true }, "mutation");
  return name;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}${name}.png`, fullPage: true, animations: "disabled" });
}

test("deployments discovered from a provider serve an alias with two weighted targets through the proxy", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await login(page, userFor("admin"));
  const provider = await addProvider(page);
  await page.goto("/routing");
  await expect(page.getByRole("heading", { level: 1, name: "Routing" })).toBeVisible();
  await expect(table(page, "Deployments")).not.toHaveAttribute("aria-busy", "true");

  // Add two of the provider's models by discovering them.
  await page.getByRole("button", { name: "Add deployments" }).click();
  const add = page.getByRole("dialog", { name: "Add deployments" });
  await add.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: provider }).click();
  await add.getByRole("button", { name: "Discover models" }).click();
  const listed = add.getByRole("group", { name: "Models the provider lists" });
  await expect(listed.getByRole("checkbox")).toHaveCount(3);
  await listed.getByRole("checkbox", { name: "mock-gpt", exact: true }).check();
  await listed.getByRole("checkbox", { name: "mock-gpt-mini", exact: true }).check();
  await shoot(page, "routing-add-deployments-desktop");
  await add.getByLabel("Input price ($ per 1M tokens)").fill("2.50");
  await add.getByLabel("Output price ($ per 1M tokens)").fill("10");
  await add.getByRole("button", { name: "Add deployments" }).click();
  await expect(add).toBeHidden();
  const primary = row(page, "Deployments", `${provider}`).filter({ hasText: /mock-gpt(?!-mini)/ });
  await expect(row(page, "Deployments", provider)).toHaveCount(2);
  await expect(primary).toContainText("$2.50 / $10.00");
  await expect(primary).toContainText("No alias");

  // Discovering again marks them as added.
  await page.getByRole("button", { name: "Add deployments" }).click();
  await add.getByRole("combobox", { name: "Provider" }).click();
  await page.getByRole("option", { name: provider }).click();
  await add.getByRole("button", { name: "Discover models" }).click();
  await expect(listed.getByRole("checkbox", { name: "mock-gpt-mini", exact: true })).toBeDisabled();
  await expect(listed.getByRole("checkbox", { name: "mock-embed", exact: true })).toBeEnabled();
  await add.getByRole("button", { name: "Cancel" }).click();
  await expect(add).toBeHidden();

  // An alias over both, weighted 1:3.
  const alias = `e2e-weighted-${suffix}`;
  await page.getByRole("button", { name: "Create alias" }).first().click();
  const create = page.getByRole("dialog", { name: "Create alias" });
  // Core's messages show before anything is sent.
  await create.getByRole("button", { name: "Create alias" }).click();
  await expect(create).toContainText("Give the alias a name");
  await expect(create).toContainText("Add at least one deployment");
  await create.getByLabel("Name").fill(alias);
  await create.getByRole("combobox", { name: "Strategy" }).click();
  await page.getByRole("option", { name: "Weighted" }).click();
  for (const model of ["mock-gpt", "mock-gpt-mini"]) {
    await create.getByRole("combobox", { name: "Add a deployment" }).click();
    await page.getByRole("option", { name: `${provider} / ${model}`, exact: true }).click();
  }
  await expect(create.getByTestId("alias-target")).toHaveCount(2);
  await expect(create.getByTestId("target-share")).toHaveText(["50%", "50%"]);
  await create.getByLabel(`Weight of ${provider} / mock-gpt-mini`).fill("3");
  await expect(create.getByTestId("target-share")).toHaveText(["25%", "75%"]);
  await shoot(page, "routing-create-alias-desktop");
  await create.getByRole("button", { name: "Create alias" }).click();
  await expect(create).toBeHidden();
  const aliasRow = row(page, "Aliases", alias);
  await expect(aliasRow).toContainText("Weighted");
  await expect(aliasRow).toContainText("2 deployments");
  await expect(primary).toContainText(alias);

  // A key that allows the alias gets an answer from one of its two deployments.
  const options = await callTrpc<Options>(page, "keys.formOptions", undefined, "query");
  const keyName = `e2e routing key ${suffix}`;
  const { secret } = await callTrpc<CreatedKey>(
    page,
    "keys.create",
    {
      name: keyName,
      owner: { type: "team", id: options.teams[0]!.id },
      allowedModels: [alias],
      tags: [],
      metadata: {},
    },
    "mutation",
  );
  const deployments = await callTrpc<Deployments>(page, "routing.deployments.list", undefined, "query");
  const ours = deployments.items.filter((d) => d.providerName === provider).map((d) => d.id);
  expect(ours).toHaveLength(2);
  // Config changes reach the proxy within a second.
  await expect
    .poll(async () => (await chat(secret, alias)).status, { timeout: 5_000, intervals: [100] })
    .toBe(200);
  // Weighted 1:3: over 40 calls both deployments answer (the chance that one never does is 1 in 100,000).
  const answered = new Set<string | null>();
  for (let i = 0; i < 40; i++) {
    const answer = await chat(secret, alias);
    expect(answer.status).toBe(200);
    answered.add(answer.deployment);
  }
  expect([...answered].sort()).toEqual([...ours].sort());

  await page.reload();
  await expect(aliasRow).toContainText(keyName);
  await shoot(page, "routing-desktop");

  // Edit: ordered priority, the mini model first.
  await page.getByRole("button", { name: `Actions for ${alias}` }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit alias" });
  await edit.getByRole("combobox", { name: "Strategy" }).click();
  await page.getByRole("option", { name: "Ordered priority" }).click();
  await expect(edit.getByTestId("target-share")).toHaveCount(0);
  await edit.getByRole("button", { name: `Move ${provider} / mock-gpt-mini up` }).click();
  await expect(edit.getByTestId("alias-target").first()).toContainText("mock-gpt-mini");
  await shoot(page, "routing-alias-dialog-desktop");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(aliasRow).toContainText("Ordered priority");
  // Ordered priority: the mini model, now first, answers every call.
  const mini = deployments.items.find(
    (d) => d.providerName === provider && d.upstreamModel === "mock-gpt-mini",
  )!;
  await expect
    .poll(async () => (await chat(secret, alias)).deployment, { timeout: 5_000, intervals: [100] })
    .toBe(mini.id);
  for (let i = 0; i < 5; i++) expect((await chat(secret, alias)).deployment).toBe(mini.id);

  // The alias cannot be deleted while the key allows it: the server says which key.
  await page.getByRole("button", { name: `Actions for ${alias}` }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: `Delete "${alias}"?` });
  await confirm.getByRole("button", { name: "Delete alias" }).click();
  await expect(page.getByText("Could not delete the alias")).toBeVisible();
  await expect(
    page.locator("[data-sonner-toast]").filter({ hasText: "Could not delete the alias" }),
  ).toContainText(keyName);
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(aliasRow).toHaveCount(1);

  // Nor a deployment that the alias uses.
  await page.getByRole("button", { name: `Actions for ${provider} / mock-gpt-mini` }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirmDeployment = page.getByRole("dialog", { name: `Delete "${provider} / mock-gpt-mini"?` });
  await confirmDeployment.getByRole("button", { name: "Delete deployment" }).click();
  await expect(
    page.locator("[data-sonner-toast]").filter({ hasText: "Could not delete the deployment" }),
  ).toContainText(alias);
  await confirmDeployment.getByRole("button", { name: "Cancel" }).click();

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("heading", { level: 1, name: "Routing" })).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shoot(page, "routing-phone");
});

test("a deployment's edit saved by someone else first shows the conflict and reloads their version", async ({
  page,
}) => {
  await login(page, userFor("admin"));
  const deployments = await callTrpc<Deployments>(page, "routing.deployments.list", undefined, "query");
  const target = deployments.items.find(
    (d) => d.providerName === "mock-provider" && d.upstreamModel === "mock-embed",
  )!;
  await page.goto("/routing");
  const label = `mock-provider / ${target.upstreamModel}`;
  await page.getByRole("button", { name: `Actions for ${label}` }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit deployment" });
  await expect(edit.getByLabel("Input price ($ per 1M tokens)")).toBeVisible();

  // Someone else saves first.
  await callTrpc(
    page,
    "routing.deployments.update",
    { id: target.id, version: target.version, contextWindow: 4096 },
    "mutation",
  );
  await edit.getByLabel("Region").fill("eu-west");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toContainText("Someone else saved this deployment first");
  await expect(edit.getByRole("button", { name: "Save changes" })).toBeDisabled();
  await edit.getByRole("button", { name: "Reload" }).click();
  await expect(edit.getByLabel("Context window (tokens)")).toHaveValue("4096");
  await edit.getByLabel("Region").fill("eu-west");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  // Their change and ours, both kept.
  const saved = await callTrpc<Deployments>(page, "routing.deployments.list", undefined, "query");
  expect(saved.items.find((d) => d.id === target.id)).toMatchObject({
    contextWindow: 4096,
    region: "eu-west",
  });
  await expect(page.locator(`tr[data-deployment-id="${target.id}"]`)).toContainText("4,096");
});
