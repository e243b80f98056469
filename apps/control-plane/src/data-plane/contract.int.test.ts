/**
 * The data-plane contract suite against the real endpoints: a control plane on the run's Postgres,
 * as the proxies meet it. The same suite runs against the proxy's stand-in.
 */
import { randomUUID } from "node:crypto";
import { describeDataPlaneContract } from "@switchyard/core/data-plane/contract-suite";
import { dataPlaneToken, startHarness } from "../../test/harness.ts";
import { republishSnapshot } from "../services/config/publish.ts";

describeDataPlaneContract("the control plane", async () => {
  const h = await startHarness();
  const demo = await h.db.apiKey.findFirstOrThrow({ where: { name: "Demo key" }, select: { orgId: true } });
  const key = await h.db.apiKey.create({
    data: { orgId: demo.orgId, name: `data-plane contract ${randomUUID()}`, allowedModels: [] },
    select: { id: true },
  });
  const provider = await h.db.provider.findFirstOrThrow({ select: { id: true } });
  const credential = await h.db.providerCredential.findFirst({
    where: { providerId: provider.id },
    select: { id: true },
  });
  return {
    url: h.url,
    token: dataPlaneToken,
    keyId: key.id,
    providerId: provider.id,
    credentialId: credential?.id ?? randomUUID(),
    // startHarness starts its control plane with longPollSeconds: 2.
    holdSeconds: 2,
    async publish() {
      const version = await republishSnapshot(h.db, h.vault);
      h.bus.notifyLocal(version);
      return version;
    },
    close: () => h.close(),
  };
});
