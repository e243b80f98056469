import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UpdateKeyInput } from "./inputs.ts";

function webhookError(url: string): string | null {
  const parsed = UpdateKeyInput.safeParse({ id: randomUUID(), version: 1, notifyWebhookUrl: url });
  if (parsed.success) return null;
  return parsed.error.issues.find((i) => i.path[0] === "notifyWebhookUrl")?.message ?? null;
}

describe("the rotation webhook URL", () => {
  it("takes https anywhere and http only to this machine", () => {
    expect(webhookError("https://hooks.example.com/rotated")).toBeNull();
    expect(webhookError("https://10.0.0.5/hook")).toBeNull();
    expect(webhookError("http://127.0.0.1:9000/hook")).toBeNull();
    expect(webhookError("http://localhost/hook")).toBeNull();
    expect(webhookError("http://[::1]:8080/hook")).toBeNull();
  });

  it("refuses to send a secret in the clear over the network", () => {
    for (const url of ["http://hooks.example.com/x", "http://10.0.0.5/hook", "http://127.0.0.1.nip.io/x"]) {
      expect(webhookError(url)).toMatch(/Use an https:\/\/ URL/);
    }
  });

  it("names a malformed URL as such", () => {
    expect(webhookError("not a url")).toMatch(/http:\/\/ or https:\/\//);
    expect(webhookError("ftp://x.example/h")).toMatch(/http:\/\/ or https:\/\//);
  });
});

describe("the rotation webhook's host", () => {
  it("is never a metadata service, the machine's link or an unroutable address", () => {
    for (const url of [
      "https://169.254.169.254/latest",
      "https://metadata.google.internal/hook",
      "https://[fe80::1]/hook",
      "https://0.0.0.0/hook",
    ]) {
      expect(webhookError(url), url).toMatch(/link-local, cloud metadata or unroutable/);
    }
  });

  it("refuses a NUL or a broken surrogate as a field error", () => {
    expect(webhookError("https://hooks.example.com/\u0000")).toMatch(/NUL/);
    expect(webhookError("https://hooks.example.com/\ud800")).toMatch(/NUL/);
  });
});
