/**
 * The GatewayConfig snapshot: everything a proxy enforces, compiled by the control plane after
 * each committed config write. It is an envelope (version, createdAt, lineage) and sections, one
 * per domain, each a list of items with a schema file of its own beside this one. On the wire the
 * sections are top-level members beside the envelope's fields (see docs/adr/0010).
 *
 * Adding a section (routing, budgets, prompts, moderation, fleet):
 * 1. a schema file here (`routing.ts`) with its item schema and `defineSection({ item })`;
 * 2. its compiler in the proxy (`packages/proxy/src/config/routing.ts`), called from
 *    `config/compile.ts`, and its part of the control plane's `services/config/compile.ts`;
 * 3. one line in `snapshotSections` below.
 * A proxy that predates the section skips it (counted as `unknown_section`) and enforces the
 * rest; a snapshot that lacks it (an older file or control plane) reads it as empty.
 */
import { z } from "zod";
import { keysSection } from "./keys.ts";
import { modelsSection, providersSection } from "./providers.ts";
import { type ConfigSkip, isRecord, readSection, type SnapshotSection, summarizeIssues } from "./section.ts";

export * from "./keys.ts";
export * from "./providers.ts";
export { type ConfigSkip, type SkipReason, summarizeIssues } from "./section.ts";

/**
 * What every snapshot must carry, whatever the release that wrote it: a snapshot whose envelope
 * does not parse is rejected whole.
 */
export const SnapshotEnvelope = z.object({
  /** Increases by one with every config write, within one lineage. */
  version: z.number().int().min(0),
  createdAt: z.string().datetime(),
  /**
   * The id of the database the versions count in (`config_lineage`, created with it): a proxy
   * holding a snapshot of another lineage takes the control plane's head whatever its version.
   */
  lineage: z.uuid(),
});
export type SnapshotEnvelope = z.infer<typeof SnapshotEnvelope>;

/** The sections of a snapshot, by the member that holds each. */
export const snapshotSections = {
  keys: keysSection,
  providers: providersSection,
  models: modelsSection,
} as const;

type Sections = typeof snapshotSections;
type SectionLists = { [Name in keyof Sections]: z.ZodArray<Sections[Name]["item"]> };

const sectionEntries: ReadonlyArray<[string, SnapshotSection<z.ZodType>]> = Object.entries(snapshotSections);

const sectionLists = Object.fromEntries(
  sectionEntries.map(([name, section]) => [name, z.array(section.item)]),
) as SectionLists;

/**
 * A whole snapshot, every item valid: what the control plane checks before it stores one. A
 * proxy reads snapshots with `parseGatewayConfig` instead, which skips what it cannot read.
 */
export const GatewayConfig = z.object({ ...SnapshotEnvelope.shape, ...sectionLists });
export type GatewayConfig = z.infer<typeof GatewayConfig>;

export type ParsedGatewayConfig =
  | { ok: true; config: GatewayConfig; skipped: ConfigSkip[] }
  | {
      ok: false;
      reason: string;
      /** The version and lineage the snapshot claims, where they can be read, for the report. */
      claimed: { version: number | null; lineage: string | null };
    };

/**
 * Reads a snapshot tolerantly: the envelope must parse; an unknown section, an item that fails
 * its section's schema (or is of an unknown kind) is skipped, and fields an item carries that
 * this release does not know are ignored, each reported in `skipped`. A known section that is not
 * a list rejects the snapshot: a section's shape never changes between releases (a new shape is
 * a new section), so that is a broken snapshot rather than a newer one.
 */
export function parseGatewayConfig(json: unknown): ParsedGatewayConfig {
  const claimed = {
    version: isRecord(json) && Number.isInteger(json.version) ? (json.version as number) : null,
    lineage: isRecord(json) && typeof json.lineage === "string" ? json.lineage : null,
  };
  if (!isRecord(json)) return { ok: false, reason: "the snapshot is not a JSON object", claimed };
  const envelope = SnapshotEnvelope.safeParse(json);
  if (!envelope.success) return { ok: false, reason: summarizeIssues(envelope.error), claimed };

  const skipped: ConfigSkip[] = [];
  for (const name of Object.keys(json)) {
    if (!Object.hasOwn(SnapshotEnvelope.shape, name) && !Object.hasOwn(snapshotSections, name)) {
      skipped.push({ section: name, reason: "unknown_section", item: null, detail: "" });
    }
  }
  const config: Record<string, unknown> = { ...envelope.data };
  for (const [name, section] of sectionEntries) {
    const items = json[name] ?? [];
    if (!Array.isArray(items)) {
      return { ok: false, reason: `${name}: the section must be a list of items`, claimed };
    }
    config[name] = readSection(name, section, items, skipped);
  }
  // Every section was read with its own item schema above, the envelope with its schema.
  return { ok: true, config: config as GatewayConfig, skipped };
}
