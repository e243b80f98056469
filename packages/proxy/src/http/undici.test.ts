import { describe, expect, it } from "vitest";
import { dataPlaneEndpoint } from "./undici.ts";

describe("dataPlaneEndpoint", () => {
  it("splits a control-plane endpoint into origin and path, keeping a path prefix and dropping trailing slashes", () => {
    expect(dataPlaneEndpoint("http://127.0.0.1:4000", "usage")).toEqual({
      origin: "http://127.0.0.1:4000",
      path: "/data-plane/v1/usage",
    });
    expect(dataPlaneEndpoint("https://gw.example.com/switchyard//", "config")).toEqual({
      origin: "https://gw.example.com",
      path: "/switchyard/data-plane/v1/config",
    });
  });
});
