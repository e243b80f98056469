/**
 * The last good snapshot on disk, so that a proxy restarted during a control-plane outage still
 * serves. Written atomically (temp file + rename): a crash mid-write never leaves a torn file.
 *
 * The file is the snapshot exactly as the control plane sent it, with one member appended:
 * `"snapshotFileMac":"hmac-sha256:<hex>"`, an HMAC-SHA256 of the snapshot's bytes under a key
 * derived (HKDF) from the data-plane token. A file whose MAC is missing or wrong is ignored: the
 * file decides which keys are accepted, so writing it must take the token, not just the disk.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type CompiledSnapshot, loadSnapshot } from "./compile.ts";

export type SnapshotFileRead =
  | { ok: true; snapshot: CompiledSnapshot }
  | { ok: false; reason: "missing" }
  /** Not a snapshot this proxy can enforce (torn, not JSON, rejected by the schema). */
  | { ok: false; reason: "invalid"; message: string }
  /** Not written by a proxy holding this data-plane token (no MAC, or a MAC that does not match). */
  | { ok: false; reason: "unauthenticated"; message: string };

const macMember = /,?"snapshotFileMac":"hmac-sha256:([0-9a-f]{64})"\}\s*$/;

/** The file MAC's key: its own HKDF label, so it is never the key credentials are sealed with. */
function fileMacKey(dataPlaneToken: string): Buffer {
  return Buffer.from(hkdfSync("sha256", dataPlaneToken, "switchyard", "switchyard snapshot file v1", 32));
}

function mac(body: string, dataPlaneToken: string): Buffer {
  return createHmac("sha256", fileMacKey(dataPlaneToken)).update(body, "utf8").digest();
}

/** The file's text for a snapshot body (a JSON object as the control plane sent it). */
export function snapshotFileText(body: string, dataPlaneToken: string): string {
  const trimmed = body.trimEnd();
  if (!trimmed.endsWith("}")) throw new Error("a snapshot body is a JSON object");
  const open = trimmed.slice(0, -1);
  const separator = /\{\s*$/.test(open) ? "" : ",";
  const tag = mac(trimmed, dataPlaneToken).toString("hex");
  return `${open}${separator}"snapshotFileMac":"hmac-sha256:${tag}"}`;
}

export async function readSnapshotFile(path: string, dataPlaneToken: string): Promise<SnapshotFileRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ok: false, reason: "missing" };
    return { ok: false, reason: "invalid", message: `cannot read: ${(err as Error).message}` };
  }
  const found = macMember.exec(text);
  if (found === null) {
    return {
      ok: false,
      reason: "unauthenticated",
      message: "it carries no MAC (written by hand, or by a proxy release that did not sign the file)",
    };
  }
  const body = `${text.slice(0, found.index)}}`;
  if (!timingSafeEqual(Buffer.from(found[1]!, "hex"), mac(body, dataPlaneToken))) {
    return {
      ok: false,
      reason: "unauthenticated",
      message:
        "its MAC does not match: it was changed after a proxy wrote it, or written with another DATA_PLANE_TOKEN",
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "invalid", message: "not valid JSON" };
  }
  const loaded = loadSnapshot(json, { dataPlaneToken });
  if (!loaded.ok) return { ok: false, reason: "invalid", message: loaded.reason };
  return { ok: true, snapshot: loaded.snapshot };
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
    /** Queues `text` (what `snapshotFileText` made of an accepted snapshot) to be written. */
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
