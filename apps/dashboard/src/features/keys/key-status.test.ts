import { describe, expect, it } from "vitest";
import { expiryLine, graceSecret, keyStatus, liveSecrets, secretLines } from "./key-status.ts";

const now = Date.parse("2030-06-01T12:00:00.000Z");
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
const hour = 3600_000;
const current = { prefix: "sk-sy-new123", createdAt: iso(-hour), validUntil: null };
const old = { prefix: "sk-sy-old123", createdAt: iso(-100 * hour), validUntil: iso(hour) };
const dead = { prefix: "sk-sy-dead12", createdAt: iso(-200 * hour), validUntil: iso(-hour) };
const base = { revokedAt: null, expiresAt: null, secrets: [current] };

describe("key status", () => {
  it("is active with one secret and no expiry", () => {
    expect(keyStatus(base, now)).toBe("active");
  });

  it("is revoked once revoked, whatever else holds", () => {
    expect(keyStatus({ ...base, revokedAt: iso(-hour), expiresAt: iso(-hour) }, now)).toBe("revoked");
  });

  it("is expired at and after its expiry, and expiring in the week before", () => {
    expect(keyStatus({ ...base, expiresAt: iso(0) }, now)).toBe("expired");
    expect(keyStatus({ ...base, expiresAt: iso(24 * hour) }, now)).toBe("expiring");
    expect(keyStatus({ ...base, expiresAt: iso(30 * 24 * hour) }, now)).toBe("active");
  });

  it("is rotation pending while an old secret is in its grace period", () => {
    expect(keyStatus({ ...base, secrets: [old, current] }, now)).toBe("rotation pending");
    expect(keyStatus({ ...base, secrets: [dead, current] }, now)).toBe("active");
  });
});

describe("live secrets", () => {
  it("drop secrets whose grace has ended and list the newest first", () => {
    expect(liveSecrets([dead, old, current], now).map((s) => s.prefix)).toEqual([
      "sk-sy-new123",
      "sk-sy-old123",
    ]);
    expect(graceSecret([dead, old, current], now)?.prefix).toBe("sk-sy-old123");
    expect(graceSecret([dead, current], now)).toBeUndefined();
  });
});

describe("a revoked key", () => {
  const revoked = { revokedAt: iso(-hour), expiresAt: iso(30 * 24 * hour), secrets: [old, current] };

  it("lists only its last prefix, with no grace period", () => {
    expect(secretLines(revoked, now)).toEqual([
      { prefix: "sk-sy-new123", createdAt: current.createdAt, graceUntil: null },
    ]);
  });

  it("says nothing about when it expires", () => {
    expect(expiryLine(revoked)).toEqual({ kind: "revoked" });
  });

  it("differs from a live key, which lists its grace secret and its expiry", () => {
    const live = { ...revoked, revokedAt: null };
    expect(secretLines(live, now).map((s) => [s.prefix, s.graceUntil])).toEqual([
      ["sk-sy-new123", null],
      ["sk-sy-old123", old.validUntil],
    ]);
    expect(expiryLine(live)).toEqual({ kind: "at", at: live.expiresAt });
    expect(expiryLine({ ...live, expiresAt: null })).toEqual({ kind: "never" });
  });
});
