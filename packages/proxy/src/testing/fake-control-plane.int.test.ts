/**
 * The data-plane contract suite against this package's stand-in for the control plane: the same
 * suite the real endpoints pass, so what the proxy's tests are told is what production answers.
 */
import { randomUUID } from "node:crypto";
import { describeDataPlaneContract } from "@switchyard/core/data-plane/contract-suite";
import { createFakeControlPlane } from "./fake-control-plane.ts";
import { gatewayConfig, testKey, testProvider } from "./gateway-config.ts";

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
    const config = gatewayConfig({
      version,
      lineage,
      keys: [testKey({ id: keyId, name: "contract" })],
      providers: [testProvider({ id: providerId, name: "contract", baseUrl: "http://127.0.0.1:1" })],
      models: [],
    });
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
