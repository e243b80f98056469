import { describe, expect, it } from "vitest";
import { EnvError, parseProxyEnv } from "./env.ts";

const required = { CONTROL_PLANE_URL: "http://127.0.0.1:4000", DATA_PLANE_TOKEN: "0123456789abcdef" };

describe("parseProxyEnv", () => {
  it("fills the defaults", () => {
    expect(parseProxyEnv(required)).toEqual({
      ...required,
      PROXY_PORT: 8080,
      PROXY_HOST: "127.0.0.1",
      PROXY_SNAPSHOT_PATH: ".data/proxy-snapshot.json",
      PROXY_MAX_BODY_BYTES: 4 * 1024 * 1024,
      PROXY_USAGE_SPOOL_DIR: ".data/usage-spool",
      PROXY_HEADERS_TIMEOUT_MS: 10_000,
      PROXY_REQUEST_TIMEOUT_MS: 30_000,
      PROXY_MAX_CONNECTIONS: 10_000,
      PROXY_TPM_COMPLETION_RESERVE: 1024,
    });
    expect(parseProxyEnv({ ...required, PROXY_PORT: "", PROXY_MAX_BODY_BYTES: "1024" })).toMatchObject({
      PROXY_PORT: 8080,
      PROXY_MAX_BODY_BYTES: 1024,
    });
  });

  it("names every bad variable", () => {
    expect(() => parseProxyEnv({})).toThrow(EnvError);
    expect(() => parseProxyEnv({})).toThrow(
      /CONTROL_PLANE_URL is required[\s\S]*DATA_PLANE_TOKEN is required/,
    );
    expect(() => parseProxyEnv({ ...required, DATA_PLANE_TOKEN: "short" })).toThrow(
      /DATA_PLANE_TOKEN must be at least 16 characters/,
    );
    expect(() => parseProxyEnv({ ...required, PROXY_PORT: "http" })).toThrow(
      /PROXY_PORT must be a port number/,
    );
    expect(() => parseProxyEnv({ ...required, PROXY_PORT: "70000" })).toThrow(/PROXY_PORT/);
    expect(() => parseProxyEnv({ ...required, CONTROL_PLANE_URL: "localhost:4000" })).toThrow(
      /CONTROL_PLANE_URL/,
    );
    expect(() => parseProxyEnv({ ...required, REDIS_URL: "127.0.0.1:6379" })).toThrow(
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    expect(() =>
      parseProxyEnv({ ...required, PROXY_HEADERS_TIMEOUT_MS: "5000", PROXY_REQUEST_TIMEOUT_MS: "1000" }),
    ).toThrow(/PROXY_HEADERS_TIMEOUT_MS must not exceed PROXY_REQUEST_TIMEOUT_MS/);
    expect(parseProxyEnv({ ...required, REDIS_URL: "redis://127.0.0.1:6379" }).REDIS_URL).toBe(
      "redis://127.0.0.1:6379",
    );
  });
});
