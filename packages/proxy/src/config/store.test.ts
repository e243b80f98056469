import { describe, expect, it } from "vitest";
import { testConfig } from "../testing/gateway-config.ts";
import { compileSnapshot } from "./compile.ts";
import { ConfigStore } from "./store.ts";

describe("ConfigStore", () => {
  it("starts empty and swaps in only newer versions", () => {
    const store = new ConfigStore();
    const seen: number[] = [];
    store.onSwap((snapshot) => seen.push(snapshot.version));
    expect(store.current).toBeNull();
    expect(store.version).toBeNull();

    const v2 = compileSnapshot(testConfig({ version: 2 }));
    expect(store.swap(v2)).toBe(true);
    expect(store.swap(compileSnapshot(testConfig({ version: 1 })))).toBe(false);
    expect(store.swap(compileSnapshot(testConfig({ version: 2 })))).toBe(false);
    expect(store.current).toBe(v2);
    expect(store.swap(compileSnapshot(testConfig({ version: 3 })))).toBe(true);
    expect(store.version).toBe(3);
    expect(seen).toEqual([2, 3]);
  });
});
