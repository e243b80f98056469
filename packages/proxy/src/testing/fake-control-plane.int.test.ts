/**
 * The data-plane contract suite against this package's stand-in for the control plane: the same
 * suite the real endpoints pass, so what the proxy's tests are told is what production answers.
 */
import { randomUUID } from "node:crypto";
import type { GatewayConfig } from "@switchyard/core";
import { describeDataPlaneContract } from "@switchyard/core/data-plane/contract-suite";
import { createFakeControlPlane } from "./fake-control-plane.ts";

describeDataPlaneContract("the proxy's fake control plane", async () => {
  const token = `fake-data-plane-token-${randomUUID()}`;
  const holdMs = 2000;
  const cp = createFakeControlPlane({ token, holdMs });
  const url = await cp.listen();
  const lineage = randomUUID();
  const keyId = randomUUID();
  const providerId = randomUUID();
  const credentialId = randomUUID();
  let version = 0;
  const publish = async () => {
    version++;
    const config = {
      version,
      createdAt: new Date().toISOString(),
      lineage,
      keys: [
        {
          id: keyId,
          hashes: [{ hash: "0".repeat(64), validUntil: null }],
          name: "contract",
          userId: null,
          teamId: null,
          allowedModels: [],
          rpm: null,
          tpm: null,
          expiresAt: null,
          revokedAt: null,
        },
      ],
      providers: [
        { id: providerId, name: "contract", kind: "openai", baseUrl: "http://127.0.0.1:1", credentials: [] },
      ],
      models: [],
    } satisfies GatewayConfig;
    cp.publish(config);
    return version;
  };
  await publish();
  return {
    url,
    token,
    keyId,
    providerId,
    credentialId,
    holdSeconds: holdMs / 1000,
    publish,
    close: () => cp.close(),
  };
});
