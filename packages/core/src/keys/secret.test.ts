import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiKeyPrefix, displayPrefix, generateApiKeySecret, hashApiKey } from "./secret.ts";

describe("API key secrets", () => {
  it("hashes a secret to the lowercase sha256 hex the control plane stores", () => {
    // FIPS 180-2's test vector: hashes stored by earlier versions must still match.
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const secret = generateApiKeySecret();
    expect(hashApiKey(secret)).toBe(createHash("sha256").update(secret).digest("hex"));
  });

  it("generates distinct secrets with the prefix and only letters and digits", () => {
    const a = generateApiKeySecret();
    const b = generateApiKeySecret();
    expect(a).not.toBe(b);
    expect(a.startsWith(apiKeyPrefix)).toBe(true);
    expect(a).toMatch(/^sk-sy-[0-9A-Za-z]{40}$/);
    expect(displayPrefix(a).length).toBeLessThan(a.length);
  });
});
