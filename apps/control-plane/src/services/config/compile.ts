/**
 * Compiles the GatewayConfig snapshot from Postgres: the envelope (version, time, this database's
 * lineage) and one section per domain, each compiled by its own file here (keys.ts; providers.ts
 * for providers and models). Runs inside the config-write transaction (see publish.ts), whose one
 * connection runs one query at a time, so the sections are compiled in turn.
 * A new section: its compile function beside these, and one line below (see core's config/snapshot.ts).
 */
import { GatewayConfig } from "@switchyard/core";
import type { Tx } from "@switchyard/db";
import type { CredentialVault } from "../providers/vault.ts";
import { compileKeysSection } from "./keys.ts";
import { compileModelsSection, compileProvidersSection } from "./providers.ts";

/** The lineage every snapshot of this database carries (made by its migration; see prisma/schema.prisma). */
export async function configLineage(tx: Pick<Tx, "configLineage">): Promise<string> {
  const row = await tx.configLineage.findUnique({ where: { singleton: true }, select: { id: true } });
  if (row === null) {
    throw new Error("config_lineage has no row: the database was not migrated (pnpm db:migrate)");
  }
  return row.id;
}

export async function compileGatewayConfig(
  tx: Tx,
  version: number,
  vault: CredentialVault,
  now = new Date(),
): Promise<GatewayConfig> {
  const config: GatewayConfig = {
    version,
    createdAt: now.toISOString(),
    lineage: await configLineage(tx),
    keys: await compileKeysSection(tx, now),
    providers: await compileProvidersSection(tx, vault, now),
    models: await compileModelsSection(tx),
  };
  // The proxy validates with the same schemas; failing here keeps a bad snapshot from ever shipping.
  return GatewayConfig.parse(config);
}
