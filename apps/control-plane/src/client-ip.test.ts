import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientIp } from "./server.ts";

function req(forwardedFor: string | undefined, socket = "10.0.0.9"): IncomingMessage {
  return {
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    socket: { remoteAddress: socket },
  } as unknown as IncomingMessage;
}

describe("clientIp", () => {
  it("uses the socket's address when no proxy is trusted", () => {
    expect(clientIp(req("1.1.1.1"), 0)).toBe("10.0.0.9");
  });

  it("takes the address the trusted proxies appended, counting from the right", () => {
    expect(clientIp(req("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(req("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    expect(clientIp(req("203.0.113.7"), 2)).toBe("203.0.113.7");
    expect(clientIp(req(" 203.0.113.7 ,"), 1)).toBe("203.0.113.7");
  });

  it("falls back to the socket when the header is missing or empty", () => {
    expect(clientIp(req(undefined), 1)).toBe("10.0.0.9");
    expect(clientIp(req(" , "), 1)).toBe("10.0.0.9");
  });
});
