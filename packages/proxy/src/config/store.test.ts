import { describe, expect, it } from "vitest";
import { gatewayConfig } from "../testing/gateway-config.ts";
import { compileSnapshot } from "./compile.ts";
import { ConfigStore } from "./store.ts";

const otherLineage = "9c3b2a1d-4e5f-4a6b-8c7d-1e2f3a4b5c6d";

describe("ConfigStore", () => {
  it("starts empty and swaps in only newer versions of its lineage", () => {
    const store = new ConfigStore();
    const seen: number[] = [];
    store.onSwap((snapshot) => seen.push(snapshot.version));
    expect(store.current).toBeNull();
    expect(store.version).toBeNull();
    expect(store.lineage).toBeNull();

    const v2 = compileSnapshot(gatewayConfig({ version: 2 }));
    expect(store.swap(v2)).toBe(true);
    expect(store.swap(compileSnapshot(gatewayConfig({ version: 1 })))).toBe(false);
    expect(store.swap(compileSnapshot(gatewayConfig({ version: 2 })))).toBe(false);
    expect(store.current).toBe(v2);
    expect(store.swap(compileSnapshot(gatewayConfig({ version: 3 })))).toBe(true);
    expect(store.version).toBe(3);
    expect(seen).toEqual([2, 3]);
  });

  it("takes a snapshot of another lineage whatever its version, and an older one the control plane calls its head", () => {
    const store = new ConfigStore();
    store.swap(compileSnapshot(gatewayConfig({ version: 40 })), "file");
    const recreated = compileSnapshot(gatewayConfig({ version: 2, lineage: otherLineage }));
    expect(store.swap(recreated)).toBe(true);
    expect(store.lineage).toBe(otherLineage);

    const restored = compileSnapshot(gatewayConfig({ version: 1, lineage: otherLineage }));
    expect(store.swap(restored)).toBe(false);
    expect(store.swap(restored, "control-plane", { controlPlaneHead: true })).toBe(true);
    expect(store.current).toBe(restored);
  });
});
