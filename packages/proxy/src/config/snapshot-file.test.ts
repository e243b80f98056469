import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testConfig } from "../testing/gateway-config.ts";
import { createSnapshotWriter, readSnapshotFile } from "./snapshot-file.ts";

describe("snapshot file", () => {
  it("writes atomically (no temp file left) and reads back a valid config", async () => {
    const dir = await mkdtemp(join(tmpdir(), "proxy-snapshot-"));
    const path = join(dir, "nested", "snapshot.json");
    const errors: unknown[] = [];
    const writer = createSnapshotWriter(path, (err) => errors.push(err));
    writer.write(JSON.stringify(testConfig({ version: 1 })));
    writer.write(JSON.stringify(testConfig({ version: 2 })));
    writer.write(JSON.stringify(testConfig({ version: 3 })));
    await writer.flush();

    expect(errors).toEqual([]);
    expect(await readdir(join(dir, "nested"))).toEqual(["snapshot.json"]);
    const read = await readSnapshotFile(path);
    expect(read.ok && read.config.version).toBe(3);
  });

  it("tells a missing file from an invalid one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "proxy-snapshot-"));
    expect(await readSnapshotFile(join(dir, "none.json"))).toEqual({ ok: false, reason: "missing" });

    await writeFile(join(dir, "garbage.json"), "{not json");
    expect(await readSnapshotFile(join(dir, "garbage.json"))).toMatchObject({ ok: false, reason: "invalid" });

    await writeFile(join(dir, "schema.json"), JSON.stringify({ ...testConfig(), keys: "nope" }));
    const read = await readSnapshotFile(join(dir, "schema.json"));
    expect(read).toMatchObject({ ok: false, reason: "invalid" });
    expect(!read.ok && read.reason === "invalid" && read.message).toMatch(/^keys:/);
    expect(await readFile(join(dir, "schema.json"), "utf8")).toContain("nope");
  });
});
