import { AppError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { compileSnapshot } from "../config/compile.ts";
import { gatewayConfig, testKey } from "../testing/gateway-config.ts";
import { authenticateKey, authorizeModel, bearerToken } from "./authenticate.ts";

const now = Date.parse("2026-06-01T00:00:00.000Z");
const snapshot = compileSnapshot(
  gatewayConfig({
    keys: [
      testKey({
        id: "k_live",
        secrets: [
          { secret: "live" },
          { secret: "rotated-in-grace", validUntil: "2026-06-02T00:00:00.000Z" },
          { secret: "rotated-past-grace", validUntil: "2026-05-31T00:00:00.000Z" },
        ],
      }),
      testKey({ id: "k_revoked", secrets: [{ secret: "revoked" }], revokedAt: "2026-05-01T00:00:00.000Z" }),
      testKey({ id: "k_expired", secrets: [{ secret: "expired" }], expiresAt: "2026-05-31T23:59:59.000Z" }),
      testKey({
        id: "k_later",
        secrets: [{ secret: "expires-later" }],
        expiresAt: "2026-07-01T00:00:00.000Z",
      }),
      testKey({ id: "k_limited", secrets: [{ secret: "limited" }], allowedModels: ["other-model"] }),
    ],
  }),
);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

describe("bearerToken", () => {
  it("reads the secret of a Bearer header, any case of the scheme", () => {
    expect(bearerToken("Bearer sk-1")).toBe("sk-1");
    expect(bearerToken("bearer sk-1 ")).toBe("sk-1");
    expect(bearerToken("Basic abc")).toBeNull();
    expect(bearerToken("Bearer ")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe("authenticateKey", () => {
  it("accepts a live key and a rotated hash still in its grace period", () => {
    expect(authenticateKey(snapshot, "Bearer live", now).id).toBe("k_live");
    expect(authenticateKey(snapshot, "Bearer rotated-in-grace", now).id).toBe("k_live");
    expect(authenticateKey(snapshot, "Bearer expires-later", now).id).toBe("k_later");
  });

  it("refuses each failure with its own code", () => {
    expect(codeOf(() => authenticateKey(snapshot, undefined, now))).toBe("invalid_api_key");
    expect(codeOf(() => authenticateKey(snapshot, "Bearer unknown", now))).toBe("invalid_api_key");
    expect(codeOf(() => authenticateKey(snapshot, "Bearer rotated-past-grace", now))).toBe("invalid_api_key");
    expect(codeOf(() => authenticateKey(snapshot, "Bearer revoked", now))).toBe("key_revoked");
    expect(codeOf(() => authenticateKey(snapshot, "Bearer expired", now))).toBe("key_expired");
  });
});

describe("authorizeModel", () => {
  it("resolves a known model for a key allowed every model", () => {
    const key = authenticateKey(snapshot, "Bearer live", now);
    expect(authorizeModel(snapshot, key, "gpt-test").name).toBe("gpt-test");
  });

  it("tells an unknown model from a forbidden one", () => {
    const limited = authenticateKey(snapshot, "Bearer limited", now);
    expect(codeOf(() => authorizeModel(snapshot, limited, "gpt-test"))).toBe("model_not_allowed");
    expect(codeOf(() => authorizeModel(snapshot, limited, "no-such-model"))).toBe("model_not_found");
  });
});
