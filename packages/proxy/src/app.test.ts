import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestListener, routes } from "./app.ts";
import type { Route } from "./http/context.ts";
import { silentLogger } from "./logger.ts";
import { testProxyDeps } from "./testing/proxy-deps.ts";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(table: readonly Route[]): Promise<{ url: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  const deps = testProxyDeps({
    log: { ...silentLogger, error: (_message, fields) => errors.push(fields) },
    maxBodyBytes: 1024,
  });
  server = createServer(createRequestListener(deps, table));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, errors };
}

describe("the route table", () => {
  it("lists every route of the proxy once", () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /healthz",
      "GET /metrics",
      "POST /v1/chat/completions",
      "POST /v1/embeddings",
      "GET /v1/models",
    ]);
  });
});

describe("createRequestListener", () => {
  it("answers a handler's unexpected exception with a 500 and keeps serving", async () => {
    const { url, errors } = await serve([
      {
        method: "GET",
        path: "/sync",
        handler: () => {
          throw new TypeError("boom");
        },
      },
      { method: "GET", path: "/async", handler: async () => Promise.reject(new Error("later boom")) },
      ...routes,
    ]);
    for (const path of ["/sync", "/async"]) {
      const res = await fetch(url + path);
      expect(res.status).toBe(500);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(await res.json()).toEqual({
        error: {
          message: expect.any(String),
          type: "api_error",
          code: "internal_error",
          param: null,
        },
      });
    }
    expect(errors).toHaveLength(2);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "no_config" });
  });

  it("answers a known path with the wrong method, or an unknown path, with a 404 error", async () => {
    const { url } = await serve(routes);
    const res = await fetch(`${url}/healthz`, { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found", type: "invalid_request_error" } });
    expect((await fetch(`${url}/metrics?x=1`)).status).toBe(200);
  });
});
