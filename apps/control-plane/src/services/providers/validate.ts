/** Checks of provider input against the database, as field errors the form shows. */
import { AppError } from "@switchyard/core";
import type { Tx } from "@switchyard/db";

const nameTaken = (name: string) =>
  new AppError("conflict", `A provider named "${name}" already exists`, {
    fieldErrors: { name: [`A provider named "${name}" already exists: choose another name`] },
  });

/** Provider names are unique per organisation (also a database constraint); this says so on the field. */
export async function assertProviderNameFree(tx: Tx, orgId: string, name: string, exceptId?: string) {
  const clash = await tx.provider.findFirst({
    where: { orgId, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw nameTaken(name);
}
