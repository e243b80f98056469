/**
 * The usage spool: one file per batch (the JSON body to POST, `{"events":[...]}`), written to a
 * temporary name, fsync'd, then renamed into place, so a file in the spool is always whole. A file
 * is deleted only after the control plane answered 2xx for it. Batches the control plane rejected
 * as invalid (400) are moved to `rejected/` for an operator to look at, never retried, and so is an
 * entry that cannot be read at all (a directory or a dangling symbolic link where a batch file should
 * be, a file the proxy may not read): retrying it could never succeed.
 */
import { lstat, mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";

const tmpPrefix = ".tmp-";

/** A spool entry's body; or that it is gone (delivered by a concurrent pass), or why it cannot be read. */
export type SpoolRead =
  | { ok: true; body: string }
  | { ok: false; gone: true }
  | { ok: false; gone: false; reason: string };

export type Spool = {
  readonly dir: string;
  /** Creates the directories and removes temporary files a crash left half-written. */
  open(): Promise<void>;
  /** Writes one batch of `events` events durably (into `rejected/` if `rejected`); returns its file name. */
  write(body: string, events: number, rejected?: boolean): Promise<string>;
  /** Spooled batches, oldest first. */
  list(): Promise<string[]>;
  read(name: string): Promise<SpoolRead>;
  remove(name: string): Promise<void>;
  reject(name: string): Promise<void>;
};

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How many events a spool file holds, from its name. */
export function eventsInSpoolFile(name: string): number {
  const match = /-(\d+)\.json$/.exec(name);
  return match === null ? 0 : Number(match[1]);
}

export function createSpool(dir: string): Spool {
  const rejectedDir = join(dir, "rejected");
  let seq = 0;

  return {
    dir,
    async open() {
      await mkdir(rejectedDir, { recursive: true });
      for (const name of await readdir(dir)) {
        if (name.startsWith(tmpPrefix)) await unlink(join(dir, name)).catch(() => {});
      }
    },
    async write(body, events, rejected = false) {
      // Sortable by time; pid and a counter keep names unique within and across processes; the
      // event count rides in the name so that delivering a file needs no parse to count it.
      const name = `${Date.now().toString().padStart(15, "0")}-${process.pid}-${(seq++).toString().padStart(8, "0")}-${events}.json`;
      const tmp = join(dir, tmpPrefix + name);
      const handle = await open(tmp, "w", 0o600);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const into = rejected ? rejectedDir : dir;
      await rename(tmp, join(into, name));
      await fsyncDir(into);
      return name;
    },
    async list() {
      const names = await readdir(dir);
      return names.filter((n) => n.endsWith(".json") && !n.startsWith(tmpPrefix)).sort();
    },
    async read(name) {
      const path = join(dir, name);
      try {
        return { ok: true, body: await readFile(path, "utf8") };
      } catch (err) {
        const entry = await lstat(path).catch(() => null);
        if (entry === null) return { ok: false, gone: true };
        const { code, message } = err as NodeJS.ErrnoException;
        const reason = entry.isDirectory()
          ? "a directory, not a batch file"
          : entry.isSymbolicLink()
            ? `a symbolic link whose target cannot be read (${code ?? message})`
            : `cannot be read (${code ?? "error"}: ${message})`;
        return { ok: false, gone: false, reason };
      }
    },
    async remove(name) {
      await unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
    },
    async reject(name) {
      await rename(join(dir, name), join(rejectedDir, name));
    },
  };
}
