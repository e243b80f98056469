import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, parseMasterKeys, sealSecret, snapshotSealingKey } from "./seal.ts";

describe("sealing", () => {
  const k = { version: 3, key: randomBytes(32) };

  it("round-trips and records the key version, never the plaintext", () => {
    const sealed = sealSecret("sk-provider-secret", k, "cred-1");
    expect(sealed.keyVersion).toBe(3);
    expect(JSON.stringify(sealed)).not.toContain("sk-provider-secret");
    expect(openSecret(sealed, k.key, "cred-1")).toBe("sk-provider-secret");
  });

  it("refuses a wrong key, tampered ciphertext, or a different associated id", () => {
    const sealed = sealSecret("secret", k, "cred-1");
    expect(() => openSecret(sealed, randomBytes(32), "cred-1")).toThrow();
    const flipped = Buffer.from(sealed.ciphertext, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      openSecret({ ...sealed, ciphertext: flipped.toString("base64") }, k.key, "cred-1"),
    ).toThrow();
    expect(() => openSecret(sealed, k.key, "cred-2")).toThrow();
  });

  it("derives the same snapshot key from the same token, another from another", () => {
    expect(
      snapshotSealingKey("token-aaaaaaaaaaaaaaaa").key.equals(
        snapshotSealingKey("token-aaaaaaaaaaaaaaaa").key,
      ),
    ).toBe(true);
    expect(
      snapshotSealingKey("token-aaaaaaaaaaaaaaaa").key.equals(
        snapshotSealingKey("token-bbbbbbbbbbbbbbbb").key,
      ),
    ).toBe(false);
  });

  it("parses versioned master keys and seals with the newest", () => {
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    const keys = parseMasterKeys(`1:${a}, 2:${b}`);
    expect(keys.current.version).toBe(2);
    expect(keys.byVersion.get(1)?.toString("hex")).toBe(a);
    expect(() => parseMasterKeys("1:short")).toThrow(/64 hex/);
    expect(() => parseMasterKeys(`1:${a},1:${b}`)).toThrow(/repeated/);
    expect(() => parseMasterKeys("")).toThrow(/empty/);
  });
});
