import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashApiKey } from "@switchyard/core/keys/secret";
import { describe, expect, it } from "vitest";
import { gatewayConfig, testKey } from "../testing/gateway-config.ts";
import { createSnapshotWriter, readSnapshotFile, snapshotFileText } from "./snapshot-file.ts";

const token = "data-plane-token-of-this-proxy";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "proxy-snapshot-"));
}

describe("snapshot file", () => {
  it("writes atomically (no temp file left) and reads back a valid config", async () => {
    const dir = await tempDir();
    const path = join(dir, "nested", "snapshot.json");
    const errors: unknown[] = [];
    const writer = createSnapshotWriter(path, (err) => errors.push(err));
    for (const version of [1, 2, 3]) {
      writer.write(snapshotFileText(JSON.stringify(gatewayConfig({ version })), token));
    }
    await writer.flush();

    expect(errors).toEqual([]);
    expect(await readdir(join(dir, "nested"))).toEqual(["snapshot.json"]);
    const read = await readSnapshotFile(path, token);
    expect(read.ok && read.snapshot.version).toBe(3);
    // Still the snapshot's JSON, with the MAC as one more member.
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({
      version: 3,
      snapshotFileMac: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    });
  });

  it("ignores a file without a MAC, or one changed or written with another token", async () => {
    const dir = await tempDir();
    const body = JSON.stringify(gatewayConfig({ version: 4 }));

    await writeFile(join(dir, "unsigned.json"), body);
    expect(await readSnapshotFile(join(dir, "unsigned.json"), token)).toEqual({
      ok: false,
      reason: "unauthenticated",
      message: expect.stringMatching(/carries no MAC/),
    });

    await writeFile(join(dir, "other-token.json"), snapshotFileText(body, "another-data-plane-token"));
    expect(await readSnapshotFile(join(dir, "other-token.json"), token)).toMatchObject({
      ok: false,
      reason: "unauthenticated",
      message: expect.stringMatching(/MAC does not match/),
    });

    // Someone with write access to the file adds a key of their own and bumps the version.
    const signed = snapshotFileText(body, token);
    const intruder = testKey({ id: "k_intruder", secrets: [{ secret: "sk-intruder" }] });
    const tampered = signed
      .replace('"version":4', '"version":5')
      .replace('"keys":[', `"keys":[${JSON.stringify(intruder)},`);
    expect(tampered).toContain(hashApiKey("sk-intruder"));
    await writeFile(join(dir, "tampered.json"), tampered);
    expect(await readSnapshotFile(join(dir, "tampered.json"), token)).toMatchObject({
      ok: false,
      reason: "unauthenticated",
    });

    await writeFile(join(dir, "signed.json"), signed);
    expect(await readSnapshotFile(join(dir, "signed.json"), token)).toMatchObject({
      ok: true,
      snapshot: { version: 4 },
    });
  });

  it("tells a missing file from an invalid one", async () => {
    const dir = await tempDir();
    expect(await readSnapshotFile(join(dir, "none.json"), token)).toEqual({ ok: false, reason: "missing" });

    // Cut short (a disk that filled up): the MAC at its end is gone with the rest.
    const whole = snapshotFileText(JSON.stringify(gatewayConfig()), token);
    await writeFile(join(dir, "truncated.json"), whole.slice(0, whole.length / 2));
    expect(await readSnapshotFile(join(dir, "truncated.json"), token)).toMatchObject({
      ok: false,
      reason: "unauthenticated",
    });

    await writeFile(join(dir, "garbage.json"), snapshotFileText("{not json}", token));
    expect(await readSnapshotFile(join(dir, "garbage.json"), token)).toEqual({
      ok: false,
      reason: "invalid",
      message: "not valid JSON",
    });

    const schema = JSON.stringify({ ...gatewayConfig(), keys: "nope" });
    await writeFile(join(dir, "schema.json"), snapshotFileText(schema, token));
    const read = await readSnapshotFile(join(dir, "schema.json"), token);
    expect(read).toMatchObject({ ok: false, reason: "invalid" });
    expect(!read.ok && read.reason === "invalid" && read.message).toMatch(/^keys:/);
    expect(await readFile(join(dir, "schema.json"), "utf8")).toContain("nope");
  });
});
