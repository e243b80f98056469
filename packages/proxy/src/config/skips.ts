/**
 * Reports what of each loaded snapshot is not enforced (see core's config/section.ts): counted in
 * `switchyard_proxy_config_skipped_total{section,reason}` and summed up in one log line per
 * snapshot, so an operator sees at once that a control plane is newer than its proxies.
 */
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../logger.ts";
import type { CompiledSnapshot } from "./compile.ts";
import type { SnapshotSource } from "./store.ts";

/** Items named in the log line; the counts cover every one. */
const listedItems = 10;

export type SkipReporter = { report(snapshot: CompiledSnapshot, source: SnapshotSource): void };

export function createSkipReporter(options: { registry: Registry; log: Logger }): SkipReporter {
  const skipped = new Counter({
    name: "switchyard_proxy_config_skipped_total",
    help:
      "Parts of loaded config snapshots this proxy did not enforce, by section and reason: unknown_section, " +
      "unknown_field (the item was kept), unknown_kind, invalid_item, unknown_provider (a deployment), no_deployment (a model).",
    labelNames: ["section", "reason"] as const,
    registers: [options.registry],
  });
  return {
    report(snapshot, source) {
      if (snapshot.skipped.length === 0) return;
      const counts = new Map<string, { section: string; reason: string; n: number }>();
      for (const skip of snapshot.skipped) {
        // Section names come from the control plane; a long one is cut to keep the label sane.
        const section = skip.section.slice(0, 64);
        const id = `${section}/${skip.reason}`;
        const entry = counts.get(id) ?? { section, reason: skip.reason, n: 0 };
        entry.n++;
        counts.set(id, entry);
      }
      for (const { section, reason, n } of counts.values()) skipped.inc({ section, reason }, n);
      options.log.warn("config snapshot loaded without the parts this proxy does not understand", {
        version: snapshot.version,
        source,
        skipped: Object.fromEntries([...counts].map(([id, { n }]) => [id, n])),
        items: snapshot.skipped
          .slice(0, listedItems)
          .map(
            (s) =>
              `${s.section}${s.item === null ? "" : ` ${s.item}`}: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`,
          ),
      });
    },
  };
}
