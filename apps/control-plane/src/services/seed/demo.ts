/**
 * Demo data for the quick start and the compose stack: one organisation, an admin, a reviewer
 * and a finance user, the mock provider with two models, and one demo API key. Idempotent:
 * it creates what is missing and never overwrites a password that already exists.
 */
import { randomBytes } from "node:crypto";
import type { Role } from "@switchyard/core";
import { displayPrefix, generateApiKeySecret, hashApiKey } from "@switchyard/core/keys/secret";
import type { Db } from "@switchyard/db";
import { hashPassword } from "../auth/passwords.ts";
import { republishSnapshot } from "../config/publish.ts";
import type { CredentialVault } from "../providers/vault.ts";

export type DemoUser = { email: string; password: string; role: Role; name: string };
export type DemoSeedInput = {
  mockProviderUrl: string;
  /** Passwords to give users that do not exist yet; random ones otherwise. */
  passwords?: Partial<Record<Role, string>>;
  /** The demo key's secret; a new one is generated when missing. */
  demoApiKey?: string;
  /** Seals provider credentials into the snapshot the seed publishes. */
  vault: CredentialVault;
};
export type DemoSeedResult = {
  /** Users created by this run, with their passwords (existing users are not listed). */
  createdUsers: DemoUser[];
  demoApiKey: string;
  demoModel: string;
  snapshotVersion: number;
};

export const demoOrgName = "Demo Org";
export const demoModel = "mock-gpt";
const demoUsers: Array<{ email: string; name: string; role: Role }> = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "reviewer@example.com", name: "Rene Reviewer", role: "reviewer" },
  { email: "finance@example.com", name: "Fran Finance", role: "finance" },
];

const randomPassword = () => randomBytes(12).toString("base64url");

export async function seedDemoData(db: Db, input: DemoSeedInput): Promise<DemoSeedResult> {
  const org =
    (await db.organization.findFirst({ where: { name: demoOrgName } })) ??
    (await db.organization.create({ data: { name: demoOrgName } }));
  const team =
    (await db.team.findUnique({ where: { orgId_name: { orgId: org.id, name: "Platform" } } })) ??
    (await db.team.create({ data: { orgId: org.id, name: "Platform" } }));

  const createdUsers: DemoUser[] = [];
  let adminId: string | null = null;
  for (const u of demoUsers) {
    const existing = await db.user.findUnique({ where: { email: u.email }, select: { id: true } });
    if (existing) {
      if (u.role === "admin") adminId = existing.id;
      continue;
    }
    const password = input.passwords?.[u.role] ?? randomPassword();
    const created = await db.user.create({
      data: { ...u, orgId: org.id, teamId: team.id, passwordHash: await hashPassword(password) },
      select: { id: true },
    });
    if (u.role === "admin") adminId = created.id;
    createdUsers.push({ ...u, password });
  }

  const baseUrl = `${input.mockProviderUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1`;
  const provider = await db.provider.upsert({
    where: { orgId_name: { orgId: org.id, name: "mock-provider" } },
    // The mock provider runs beside the gateway, on loopback or the compose network.
    create: { orgId: org.id, name: "mock-provider", kind: "openai", baseUrl, inCluster: true },
    update: { baseUrl, inCluster: true },
  });
  // Each demo alias routes to one deployment of the mock provider of the same name.
  for (const [name, kind, upstream] of [
    [demoModel, "chat", "mock-gpt"],
    ["mock-gpt-mini", "chat", "mock-gpt-mini"],
    ["mock-embed", "embedding", "mock-embed"],
  ] as const) {
    const deployment = await db.deployment.upsert({
      where: { providerId_upstreamModel: { providerId: provider.id, upstreamModel: upstream } },
      create: { providerId: provider.id, upstreamModel: upstream, kind },
      update: {},
      select: { id: true },
    });
    const alias = await db.gatewayModel.upsert({
      where: { name },
      create: { name, kind },
      update: {},
      select: { id: true, targets: { select: { deploymentId: true } } },
    });
    if (alias.targets.length === 0) {
      await db.aliasTarget.create({ data: { modelId: alias.id, deploymentId: deployment.id, position: 0 } });
    }
  }

  const demoApiKey = input.demoApiKey ?? generateApiKeySecret();
  const hash = hashApiKey(demoApiKey);
  const existingSecret = await db.apiKeySecret.findUnique({ where: { hash } });
  if (!existingSecret) {
    await db.apiKey.create({
      data: {
        orgId: org.id,
        name: "Demo key",
        userId: adminId,
        teamId: team.id,
        allowedModels: [],
        metadata: { createdBy: "seed" },
        secrets: { create: { hash, prefix: displayPrefix(demoApiKey) } },
      },
    });
  }

  const snapshotVersion = await republishSnapshot(db, input.vault);
  return { createdUsers, demoApiKey, demoModel, snapshotVersion };
}
