import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.ts";

const base = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/switchyard",
  DATA_PLANE_TOKEN: "0123456789abcdef",
  MASTER_KEYS: `1:${"a".repeat(64)}`,
};

describe("control plane environment", () => {
  it("reads an empty variable as unset, as the README says (a blank line in .env or compose)", () => {
    const env = parseEnv({
      ...base,
      CONTROL_PLANE_PORT: "",
      CONTROL_PLANE_HOST: "",
      MIGRATE_ON_START: "",
      KEY_ROTATION_INTERVAL_SECONDS: "",
      CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS: "",
      LOG_LEVEL: "",
      REDIS_URL: "",
    });
    expect(env).toMatchObject({
      CONTROL_PLANE_PORT: 4000,
      CONTROL_PLANE_HOST: "127.0.0.1",
      MIGRATE_ON_START: true,
      KEY_ROTATION_INTERVAL_SECONDS: 60,
      CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS: 600,
      LOG_LEVEL: "info",
    });
    expect(env.REDIS_URL).toBeUndefined();
  });

  it("still turns a job off with 0", () => {
    expect(parseEnv({ ...base, KEY_ROTATION_INTERVAL_SECONDS: "0" }).KEY_ROTATION_INTERVAL_SECONDS).toBe(0);
  });

  it("names a bad LOG_LEVEL and lists the levels", () => {
    expect(() => parseEnv({ ...base, LOG_LEVEL: "loud" })).toThrow(
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it("calls an empty MASTER_KEYS missing and says how to make one", () => {
    expect(() => parseEnv({ ...base, MASTER_KEYS: "" })).toThrow(
      /MASTER_KEYS is required: comma-separated version:key pairs/,
    );
  });
});
