/**
 * What /trpc refuses before a procedure runs, over real HTTP: another site's page acting with the
 * session cookie (CSRF), mutations that are not JSON, oversized bodies and oversized batches.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, demoEmails, demoPasswords, type Harness, startHarness } from "../test/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Answer = { status: number; body: { error?: { message: string; data: Record<string, unknown> } } };

async function call(path: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(`${h.url}/trpc/${path}`, init);
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

function form(): FormData {
  const body = new FormData();
  body.append("x", "1");
  return body;
}

async function signedIn(role: keyof typeof demoPasswords): Promise<Client> {
  return new Client(h.url).login(role);
}

async function stillSignedIn(c: Client): Promise<boolean> {
  return (await c.query("auth.me")).status === 200;
}

describe("cross-site requests (CSRF)", () => {
  it("refuses a form post from another origin that carries the session cookie", async () => {
    const c = await signedIn("finance");
    const r = await call("auth.logout", {
      method: "POST",
      headers: { cookie: c.cookie!, origin: "http://127.0.0.1:9999" },
      body: form(),
    });
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/Cross-site request refused.*http:\/\/127\.0\.0\.1:9999/);
    expect(r.body.error?.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });
    expect(await stillSignedIn(c)).toBe(true);
  });

  it("refuses a JSON call from another origin, and one a browser marks cross-site", async () => {
    const c = await signedIn("finance");
    const json = { cookie: c.cookie!, "content-type": "application/json" };
    const otherPort = await call("auth.logout", {
      method: "POST",
      headers: { ...json, origin: "http://127.0.0.1:9999" },
    });
    expect(otherPort.status).toBe(403);
    const crossSite = await call("auth.logout", {
      method: "POST",
      headers: { ...json, "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const sameSiteNoOrigin = await call("auth.me", { headers: { ...json, "sec-fetch-site": "same-site" } });
    expect(sameSiteNoOrigin.status).toBe(403);
    const opaque = await call("auth.logout", { method: "POST", headers: { ...json, origin: "null" } });
    expect(opaque.status).toBe(403);
    expect(await stillSignedIn(c)).toBe(true);
  });

  it("refuses providers.reencrypt posted as a form from another page", async () => {
    const c = await signedIn("admin");
    const before = await h.db.auditLog.count({ where: { action: { startsWith: "providers." } } });
    for (const headers of [{ cookie: c.cookie!, origin: "http://127.0.0.1:9999" }, { cookie: c.cookie! }]) {
      const r = await call("providers.reencrypt", { method: "POST", headers, body: form() });
      expect([403, 415]).toContain(r.status);
    }
    expect(await h.db.auditLog.count({ where: { action: { startsWith: "providers." } } })).toBe(before);
  });

  it("accepts the dashboard's own origin, directly and through a trusted proxy", async () => {
    const c = await signedIn("reviewer");
    const host = new URL(h.url).host;
    const direct = await call("auth.me", { headers: { cookie: c.cookie!, origin: h.url } });
    expect(direct.status).toBe(200);
    // The dashboard server rewrites Host to the control plane's and says the browser's in X-Forwarded-Host.
    const proxied = await call("auth.me", {
      headers: {
        cookie: c.cookie!,
        origin: "http://dashboard.example:3000",
        "x-forwarded-host": "dashboard.example:3000",
        "sec-fetch-site": "same-origin",
      },
    });
    expect(proxied.status).toBe(200);
    expect(host).not.toBe("dashboard.example:3000");
  });

  it("lets calls without Origin or Sec-Fetch-Site through (curl, scripts)", async () => {
    const r = await call("auth.login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: demoEmails.admin, password: demoPasswords.admin }),
    });
    expect(r.status).toBe(200);
  });

  it("does not believe X-Forwarded-Host from a peer that is not a trusted proxy", async () => {
    const untrusted = await startHarness({ trustedProxies: "192.0.2.1" });
    try {
      const c = await new Client(untrusted.url).login("reviewer");
      const r = await fetch(`${untrusted.url}/trpc/auth.me`, {
        headers: {
          cookie: c.cookie!,
          origin: "http://evil.example",
          "x-forwarded-host": "evil.example",
        },
      });
      expect(r.status).toBe(403);
    } finally {
      await untrusted.close();
    }
  });
});

describe("content type of mutations", () => {
  it("refuses a form or a text body with 415 and says to send JSON, without running the mutation", async () => {
    const c = await signedIn("finance");
    const multipart = await call("auth.logout", {
      method: "POST",
      headers: { cookie: c.cookie! },
      body: form(),
    });
    expect(multipart.status).toBe(415);
    expect(multipart.body.error?.message).toMatch(/Content-Type: application\/json.*multipart\/form-data/);
    expect(multipart.body.error?.data).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]) {
      const r = await call("auth.logout", {
        method: "POST",
        headers: { cookie: c.cookie!, "content-type": type },
        body: "x=1",
      });
      expect(r.status, type).toBe(415);
    }
    const none = await call("auth.logout", { method: "POST", headers: { cookie: c.cookie! } });
    expect(none.status).toBe(415);
    expect(none.body.error?.message).toMatch(/no Content-Type was sent/);
    expect(await stillSignedIn(c)).toBe(true);
  });

  it("accepts JSON with a charset", async () => {
    const c = await signedIn("finance");
    const r = await call("auth.logout", {
      method: "POST",
      headers: { cookie: c.cookie!, "content-type": "Application/JSON; charset=utf-8" },
    });
    expect(r.status).toBe(200);
  });
});

/** A raw POST whose head announces `contentLength` bytes; resolves with the answer as soon as it comes. */
function postWithoutBody(path: string, contentLength: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${h.url}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": contentLength },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) });
        req.destroy();
      });
    });
    req.on("error", reject);
    req.write("{");
  });
}

/** A chunked POST (no Content-Length) of `bytes` of JSON. */
function chunkedPost(path: string, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${h.url}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    // The server may answer and close before the whole body is written.
    req.on("error", (err) => (req.writableEnded ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024, " ");
    req.write(`{"email":"a@example.com","password":"`);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end(`"}`);
    };
    pump();
  });
}

describe("body and batch limits", () => {
  it("refuses a body announced over 1 MB at once, with 413 and a JSON error", async () => {
    const r = await postWithoutBody("auth.login", 600 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.body.error?.message).toMatch(/larger than the 1 MB limit/);
    expect(r.body.error?.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413 });
  });

  it("stops reading a chunked body past 1 MB", async () => {
    const r = await chunkedPost("auth.login", 3 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.body.error?.message).toMatch(/larger than the 1 MB limit/);
  });

  it("still takes a body just under the limit", async () => {
    const r = await call("auth.login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ghost@example.com", password: "x".repeat(900 * 1024) }),
    });
    expect(r.status).not.toBe(413);
  });

  it("refuses a batch of more than 20 calls with 400 and says the limit", async () => {
    const c = await signedIn("finance");
    const batch = (n: number) =>
      call(`${Array.from({ length: n }, () => "auth.me").join(",")}?batch=1`, {
        headers: { cookie: c.cookie! },
      });
    expect((await batch(20)).status).toBe(200);
    for (const n of [21, 380]) {
      const r = await batch(n);
      expect(r.status).toBe(400);
      expect(r.body.error?.message).toBe(
        `A batch may hold at most 20 calls; this one has ${n}. Split it into smaller batches.`,
      );
    }
    // Commas written as %2C are commas to tRPC, so they count too.
    const encoded = await call(`${Array.from({ length: 30 }, () => "auth.me").join("%2C")}?batch=1`, {
      headers: { cookie: c.cookie! },
    });
    expect(encoded.status).toBe(400);
  });
});
