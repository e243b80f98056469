/**
 * The last good snapshot on disk, so that a proxy restarted during a control-plane outage still
 * serves. Written atomically (temp file + rename): a crash mid-write never leaves a torn file.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { GatewayConfig } from "@switchyard/core";

export type SnapshotFileRead =
  | { ok: true; config: GatewayConfig }
  | { ok: false; reason: "missing" }
  | { ok: false; reason: "invalid"; message: string };

export async function readSnapshotFile(path: string): Promise<SnapshotFileRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ok: false, reason: "missing" };
    return { ok: false, reason: "invalid", message: `cannot read: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid", message: "not valid JSON" };
  }
  const parsed = GatewayConfig.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "invalid", message: summarizeIssues(parsed.error) };
  return { ok: true, config: parsed.data };
}

/** A zod error in one short line: the first few paths and messages. */
export function summarizeIssues(error: {
  issues: readonly { path: PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * Writes snapshots one at a time; when several arrive during a write only the newest is written
 * next. `flush()` resolves once everything asked for is on disk (or has failed and been reported).
 */
export function createSnapshotWriter(path: string, onError: (err: unknown) => void) {
  let pending: string | null = null;
  let running: Promise<void> | null = null;

  async function writeAtomically(text: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
  }

  async function drain(): Promise<void> {
    while (pending !== null) {
      const text = pending;
      pending = null;
      try {
        await writeAtomically(text);
      } catch (err) {
        onError(err);
      }
    }
    running = null;
  }

  return {
    /** Queues `text` (a validated GatewayConfig's JSON) to be written. */
    write(text: string): void {
      pending = text;
      running ??= drain();
    },
    flush(): Promise<void> {
      return running ?? Promise.resolve();
    },
  };
}
export type SnapshotWriter = ReturnType<typeof createSnapshotWriter>;
