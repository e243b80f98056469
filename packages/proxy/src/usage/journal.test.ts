/**
 * The usage journal on a real directory: when appended events reach the file (the group-commit
 * interval, or at once past `maxPending`: the bound on what a crash loses), that a segment goes
 * once every event in it is settled and not before, and that a later start's replay finds exactly
 * the events that were never settled.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../logger.ts";
import { createUsageJournal, replayUsageJournal } from "./journal.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "usage-journal-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The event lines on disk, all segments, in order. */
async function linesOnDisk(): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
  return texts.join("").split("\n").filter(Boolean);
}

const event = (n: number) => JSON.stringify({ requestId: `req-${n}`, padding: "x".repeat(40) });

describe("the usage journal", () => {
  it("writes appended events at the commit interval, and at once when maxPending of them wait", async () => {
    const journal = createUsageJournal({ dir, log: silentLogger, commitMs: 50, maxPending: 4 });
    for (let n = 0; n < 3; n++) journal.append(event(n));
    expect(await linesOnDisk()).toEqual([]);
    journal.append(event(3));
    // The fourth made a commit before append() returned: a crash from here on loses none of them.
    expect(await linesOnDisk()).toEqual([0, 1, 2, 3].map(event));
    journal.append(event(4));
    expect(await linesOnDisk()).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 120));
    expect(await linesOnDisk()).toEqual([0, 1, 2, 3, 4].map(event));
    await journal.close();
  });

  it("empties the active segment once every event written to it is settled, and not before", async () => {
    const journal = createUsageJournal({ dir, log: silentLogger });
    for (let n = 0; n < 3; n++) journal.append(event(n));
    journal.commit();
    const first = journal.claim(2);
    const second = journal.claim(1);
    journal.release(first);
    expect(await linesOnDisk()).toHaveLength(3);
    journal.append(event(3));
    journal.commit();
    journal.release(second);
    // event 3 is written and not yet settled.
    expect(await linesOnDisk()).toHaveLength(4);
    journal.release(journal.claim(1));
    expect(await linesOnDisk()).toEqual([]);
    await journal.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it("rotates full segments, deletes settled ones, and leaves the unsettled to the next start's replay", async () => {
    // Two events a segment.
    const journal = createUsageJournal({ dir, log: silentLogger, maxPending: 1, segmentBytes: 100 });
    for (let n = 0; n < 6; n++) journal.append(event(n));
    expect((await readdir(dir)).length).toBe(3);
    // A batch of the first three spans two segments: the first goes, the second waits for event 3.
    journal.release(journal.claim(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(await linesOnDisk()).toEqual([2, 3, 4, 5].map(event));
    const last = journal.claim(3);
    await journal.close();
    // Killed here (or closed with these unsettled): events 3, 4 and 5 are replayed; 2 once more, as
    // it shares a segment with 3. The control plane keeps each requestId once.
    const replayed: string[][] = [];
    const result = await replayUsageJournal(dir, 3, async (lines) => {
      replayed.push(lines);
    });
    // One segment at a time, so that replay never holds more than one in memory.
    expect(replayed).toEqual([[2, 3].map(event), [4, 5].map(event)]);
    expect(result).toEqual({ events: 4, skipped: 0 });
    expect(await readdir(dir)).toEqual([]);
    expect(last).toHaveLength(2);
  });

  it("replays whole lines only and keeps a segment until its events are stored", async () => {
    await mkdir(dir, { recursive: true });
    const segment = "000000000000001-1-00000000.ndjson";
    await writeFile(join(dir, segment), `${event(0)}\n${event(1)}\n{"requestId":"req-2","pad`);
    await expect(
      replayUsageJournal(dir, 10, async () => {
        throw new Error("spool full");
      }),
    ).rejects.toThrow("spool full");
    expect(await readdir(dir)).toEqual([segment]);
    const replayed: string[] = [];
    const result = await replayUsageJournal(dir, 10, async (lines) => {
      replayed.push(...lines);
    });
    expect(replayed).toEqual([event(0), event(1)]);
    expect(result).toEqual({ events: 2, skipped: 1 });
    expect(await readdir(dir)).toEqual([]);
  });
});
