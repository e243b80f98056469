/**
 * Tolerant reading of one snapshot section: a list of items, each checked against the section's
 * item schema on its own. An item that fails is skipped (and reported), never the whole snapshot,
 * so a proxy one release older than its control plane keeps enforcing everything it understands.
 * Skipping fails closed by construction: what is not read is not there (a skipped key is refused,
 * a skipped provider takes no traffic).
 */
import type { z } from "zod";

/**
 * Why something of a snapshot was not enforced:
 * - `unknown_section`: a section this release does not know (added by a newer control plane);
 * - `unknown_field`: an item kept, but fields of it this release does not know were ignored, or
 *   values it does not know were read as a default (a routing strategy of a later release);
 * - `unknown_kind`: an item of a kind this release does not know (a provider kind "gemini");
 * - `invalid_item`: an item that fails its section's schema;
 * - `unknown_provider`: a model's deployment whose provider was skipped or is absent;
 * - `no_deployment`: a model none of whose deployments is left.
 */
export type SkipReason =
  | "unknown_section"
  | "unknown_field"
  | "unknown_kind"
  | "invalid_item"
  | "unknown_provider"
  | "no_deployment";

export type ConfigSkip = {
  /** The section (top-level member of the snapshot) the skipped thing is in. */
  readonly section: string;
  readonly reason: SkipReason;
  /** The item's id or name when it can be read, else its position (`#3`); null for a whole section. */
  readonly item: string | null;
  /** What exactly: the ignored fields, the unknown kind, the first schema issues. */
  readonly detail: string;
};

export type SnapshotSection<Item extends z.ZodType> = {
  /**
   * The schema of one item. It must not transform its input: ignored fields are found by comparing
   * an item with what the schema kept of it.
   */
  readonly item: Item;
  /** A reason more precise than `invalid_item` for an item that fails `item`, when one applies. */
  readonly classify?: (raw: Readonly<Record<string, unknown>>) => Omit<ConfigSkip, "section" | "item"> | null;
  /**
   * For an item that parsed: the values of it the schema read as a default because it does not
   * know them (`.catch`), each as `path "value" (read as "default")`, reported as `unknown_field`.
   */
  readonly replacedValues?: (
    raw: Readonly<Record<string, unknown>>,
    parsed: z.output<Item>,
  ) => readonly string[];
};

export function defineSection<Item extends z.ZodType>(section: SnapshotSection<Item>): SnapshotSection<Item> {
  return section;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How a skipped item is named in a report: its id, else its name, else its position. */
function itemLabel(raw: unknown, index: number): string {
  if (isRecord(raw)) {
    if (typeof raw.id === "string" && raw.id !== "") return raw.id;
    if (typeof raw.name === "string" && raw.name !== "") return raw.name;
  }
  return `#${index}`;
}

/** Paths (`hashes[].note`) of the fields of `input` that the schema did not keep in `output`. */
function ignoredFields(input: unknown, output: unknown, path: string, found: Set<string>): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (const [i, value] of input.entries()) ignoredFields(value, output[i], `${path}[]`, found);
    return;
  }
  if (!isRecord(input) || !isRecord(output)) return;
  for (const [name, value] of Object.entries(input)) {
    const at = path === "" ? name : `${path}.${name}`;
    if (Object.hasOwn(output, name)) ignoredFields(value, output[name], at, found);
    else found.add(at);
  }
}

/** A zod error in one short line: the first few paths and messages. */
export function summarizeIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/** The items of a section that parse; each one skipped, or kept with fields ignored, is added to `skips`. */
export function readSection<Item extends z.ZodType>(
  name: string,
  section: SnapshotSection<Item>,
  items: readonly unknown[],
  skips: ConfigSkip[],
): z.output<Item>[] {
  const kept: z.output<Item>[] = [];
  items.forEach((raw, index) => {
    const parsed = section.item.safeParse(raw);
    if (!parsed.success) {
      const classified = isRecord(raw) ? (section.classify?.(raw) ?? null) : null;
      skips.push({
        section: name,
        item: itemLabel(raw, index),
        ...(classified ?? { reason: "invalid_item", detail: summarizeIssues(parsed.error) }),
      });
      return;
    }
    const ignored = new Set<string>();
    ignoredFields(raw, parsed.data, "", ignored);
    if (isRecord(raw))
      for (const replaced of section.replacedValues?.(raw, parsed.data) ?? []) ignored.add(replaced);
    if (ignored.size > 0) {
      skips.push({
        section: name,
        item: itemLabel(raw, index),
        reason: "unknown_field",
        detail: [...ignored].join(", "),
      });
    }
    kept.push(parsed.data);
  });
  return kept;
}
