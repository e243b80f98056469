/** Field-by-field difference of two JSON values, for the audit log's before/after view. */

export type Change = {
  path: string;
  before: unknown;
  after: unknown;
  kind: "added" | "removed" | "changed" | "same";
};

/** Marks a side of a change where the field does not exist (as opposed to holding null). */
export const missing = Symbol("missing");

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    if (entries.length > 0) {
      for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, out);
      return;
    }
  }
  out.set(prefix || "(value)", value);
}

export function diffValues(before: unknown, after: unknown): Change[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== null && before !== undefined) flatten(before, "", a);
  if (after !== null && after !== undefined) flatten(after, "", b);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths.map((path) => {
    const x = a.has(path) ? a.get(path) : missing;
    const y = b.has(path) ? b.get(path) : missing;
    const kind =
      x === missing
        ? "added"
        : y === missing
          ? "removed"
          : JSON.stringify(x) === JSON.stringify(y)
            ? "same"
            : "changed";
    return { path, before: x, after: y, kind };
  });
}
