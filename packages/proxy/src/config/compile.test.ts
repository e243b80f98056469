import { GatewayConfig } from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";
import { describe, expect, it } from "vitest";
import { noPricing, testConfig, testKey } from "../testing/gateway-config.ts";
import { compileSnapshot, SnapshotCompileError } from "./compile.ts";

describe("compileSnapshot", () => {
  it("indexes every live hash of every key", () => {
    const config = testConfig({
      keys: [
        testKey({
          id: "k_rotated",
          secrets: [
            { secret: "new-secret" },
            { secret: "old-secret", validUntil: "2030-01-01T00:00:00.000Z" },
          ],
        }),
        testKey({ id: "k_other", secrets: [{ secret: "other" }], allowedModels: ["gpt-test"] }),
      ],
    });
    const snapshot = compileSnapshot(GatewayConfig.parse(config));

    expect(snapshot.keysByHash.size).toBe(3);
    const old = snapshot.keysByHash.get(hashApiKey("old-secret"));
    expect(old?.key.id).toBe("k_rotated");
    expect(old?.validUntilMs).toBe(Date.parse("2030-01-01T00:00:00.000Z"));
    expect(snapshot.keysByHash.get(hashApiKey("new-secret"))?.validUntilMs).toBeNull();
    // Both hashes of a key share one compiled key.
    expect(snapshot.keysByHash.get(hashApiKey("new-secret"))?.key).toBe(old?.key);
    expect(old?.key.allowedModels).toBeNull();
    expect([...(snapshot.keysByHash.get(hashApiKey("other"))?.key.allowedModels ?? [])]).toEqual([
      "gpt-test",
    ]);
  });

  it("resolves deployments to their providers with prebuilt upstream paths", () => {
    const snapshot = compileSnapshot(testConfig({ baseUrl: "http://127.0.0.1:8090/v1/" }));
    const model = snapshot.models.get("gpt-test");
    const deployment = model?.deployments[0];
    expect(deployment?.upstreamModel).toBe("mock-gpt");
    expect(deployment?.provider.origin).toBe("http://127.0.0.1:8090");
    expect(deployment?.provider.chatCompletionsPath).toBe("/v1/chat/completions");
    expect(deployment?.provider.headers).toEqual({ "content-type": "application/json" });
    expect(deployment?.provider.unavailableReason).toBeNull();
    expect(deployment?.poolKey).toBe("http://127.0.0.1:8090|1000");
    expect(JSON.parse(snapshot.allModelsListBody)).toEqual({
      object: "list",
      data: [{ id: "gpt-test", object: "model", created: expect.any(Number), owned_by: "switchyard" }],
    });
  });

  it("marks providers it cannot call yet instead of rejecting the snapshot", () => {
    const config = testConfig();
    const deployment = config.models[0]!.deployments[0]!;
    config.providers.push(
      {
        id: "prov_sealed",
        name: "sealed",
        kind: "openai",
        baseUrl: "https://api.openai.com/v1",
        credentials: [
          {
            id: "cred_sealed",
            role: "primary",
            sealed: { keyVersion: 1, iv: "aXY=", tag: "dGFn", ciphertext: "Y3Q=" },
          },
        ],
      },
      {
        id: "prov_claude",
        name: "claude",
        kind: "anthropic",
        baseUrl: "https://api.anthropic.com",
        credentials: [],
      },
    );
    config.models.push(
      {
        name: "sealed-model",
        kind: "chat",
        pricing: noPricing,
        deployments: [{ ...deployment, id: "d2", providerId: "prov_sealed" }],
      },
      {
        name: "claude-model",
        kind: "chat",
        pricing: noPricing,
        deployments: [{ ...deployment, id: "d3", providerId: "prov_claude" }],
      },
    );
    const snapshot = compileSnapshot(config);
    const sealed = snapshot.models.get("sealed-model")?.deployments[0].provider;
    expect(sealed?.unavailableReason).toBe("provider credential decryption not configured");
    expect(sealed?.headers).toBeNull();
    expect(snapshot.models.get("claude-model")?.deployments[0].provider.unavailableReason).toMatch(
      /anthropic/,
    );
  });

  it("rejects dangling provider references and duplicates", () => {
    const dangling = testConfig();
    dangling.models[0]!.deployments[0]!.providerId = "missing";
    expect(() => compileSnapshot(dangling)).toThrow(SnapshotCompileError);
    expect(() => compileSnapshot(dangling)).toThrow(/unknown provider "missing"/);

    const twice = testConfig();
    twice.models.push(twice.models[0]!);
    expect(() => compileSnapshot(twice)).toThrow(/defined twice/);

    const sameHash = testConfig({
      keys: [
        testKey({ id: "a", secrets: [{ secret: "s" }] }),
        testKey({ id: "b", secrets: [{ secret: "s" }] }),
      ],
    });
    expect(() => compileSnapshot(sameHash)).toThrow(/more than once/);
  });
});
