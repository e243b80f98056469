/** Every provider of the caller's organisation, credentials masked to their last 4 characters. */
import type { ProviderView } from "@switchyard/core";
import type { OpArgs } from "../op.ts";
import { providerViewSelect, toProviderView } from "./view.ts";

export async function listProviders({ db, actor }: OpArgs): Promise<{ items: ProviderView[] }> {
  const rows = await db.provider.findMany({
    where: { orgId: actor.orgId },
    select: providerViewSelect,
    orderBy: { name: "asc" },
  });
  const now = new Date();
  return { items: rows.map((p) => toProviderView(p, now)) };
}
