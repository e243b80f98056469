import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, withRequestId } from "./log.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger({ level: "debug", destination }) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("control plane log", () => {
  it("writes JSON lines with a named level and an ISO time", async () => {
    const { lines, log } = capture();
    log.info({ keyId: "k1" }, "key rotated");
    await flush();
    expect(lines[0]).toMatchObject({
      level: "info",
      msg: "key rotated",
      keyId: "k1",
      service: "control-plane",
    });
    expect(new Date(lines[0]?.time as string).toISOString()).toBe(lines[0]?.time);
  });

  it("redacts secrets at the top, one and two levels down", async () => {
    const { lines, log } = capture();
    log.warn(
      {
        password: "hunter2-top",
        req: { headers: { cookie: "sy_session=abc", authorization: "Bearer sy-tok-secret", host: "x" } },
        input: { currentPassword: "old-pw", newPassword: "new-pw", apiKey: "sk-sy-live" },
        env: { MASTER_KEYS: "1:deadbeef", DATA_PLANE_TOKEN: "dp-token" },
        provider: { credential: "sk-upstream" },
      },
      "sign-in failed",
    );
    await flush();
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      "hunter2-top",
      "sy_session=abc",
      "sy-tok-secret",
      "old-pw",
      "new-pw",
      "sk-sy-live",
      "deadbeef",
      "dp-token",
      "sk-upstream",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      password: "[redacted]",
      req: { headers: { host: "x", cookie: "[redacted]" } },
    });
  });

  it("carries the request id into every line written while the request is handled", async () => {
    const { lines, log } = capture();
    await withRequestId("req-123", async () => {
      await flush();
      log.info("inside");
    });
    log.info("outside");
    await flush();
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ["inside", "req-123"],
      ["outside", undefined],
    ]);
  });

  it("honours the level", async () => {
    const { lines, log } = capture();
    log.level = "warn";
    log.info("quiet");
    log.error("loud");
    await flush();
    expect(lines.map((l) => l.msg)).toEqual(["loud"]);
  });
});
