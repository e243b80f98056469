import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvError, envFlag, envIntervalSeconds, envPort, parseEnvironment } from "./parse-env.ts";

const shape = {
  PORT: envPort(4000),
  HOST: z.string().default("127.0.0.1"),
  MIGRATE: envFlag(true),
  INTERVAL_SECONDS: envIntervalSeconds(60),
  TOKEN: z.string({ error: "is required: a shared secret" }).min(16, "must be at least 16 characters"),
};
const parse = (source: Record<string, string | undefined>) =>
  parseEnvironment({ service: "the test service", shape, source });
const token = "0123456789abcdef";

describe("parseEnvironment", () => {
  it("treats an empty value as unset, so every default applies", () => {
    expect(parse({ TOKEN: token, PORT: "", HOST: "", MIGRATE: "", INTERVAL_SECONDS: "" })).toEqual({
      PORT: 4000,
      HOST: "127.0.0.1",
      MIGRATE: true,
      INTERVAL_SECONDS: 60,
      TOKEN: token,
    });
  });

  it("reads set values, and 0 is a value, not unset", () => {
    expect(parse({ TOKEN: token, PORT: "0", MIGRATE: "false", INTERVAL_SECONDS: "0" })).toMatchObject({
      PORT: 0,
      MIGRATE: false,
      INTERVAL_SECONDS: 0,
    });
    expect(parse({ TOKEN: token, MIGRATE: "1" }).MIGRATE).toBe(true);
  });

  it("calls an empty required variable missing, with the schema's hint", () => {
    expect(() => parse({ TOKEN: "" })).toThrow(EnvError);
    expect(() => parse({ TOKEN: "" })).toThrow(/TOKEN is required: a shared secret/);
  });

  it("names every bad variable in one message and says what to write", () => {
    let message = "";
    try {
      parse({ PORT: "http", MIGRATE: "yes", INTERVAL_SECONDS: "-5", TOKEN: "short" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "Invalid environment for the test service:",
      "  PORT must be a port number (0-65535)",
      "  MIGRATE must be true or false",
      "  INTERVAL_SECONDS must be a number of seconds (0 turns the job off, at most 86400)",
      "  TOKEN must be at least 16 characters",
    ]);
  });

  it("says 'is required' for a missing variable whose schema has no hint", () => {
    expect(() =>
      parseEnvironment({ service: "x", shape: { NAME: z.string() }, source: { NAME: "" } }),
    ).toThrow(/^Invalid environment for x:\n {2}NAME is required$/);
  });

  it("leaves the caller's object alone (env-core deletes empty entries from what it gets)", () => {
    const source = { TOKEN: token, PORT: "" };
    parse(source);
    expect(source).toEqual({ TOKEN: token, PORT: "" });
  });

  it("applies rules across variables", () => {
    const refine = <T extends z.ZodObject<typeof shape>>(s: T) =>
      s.refine((env) => env.PORT !== 1, { path: ["PORT"], error: "must not be 1" });
    expect(() =>
      parseEnvironment({ service: "x", shape, source: { TOKEN: token, PORT: "1" }, refine }),
    ).toThrow(/PORT must not be 1/);
  });
});
