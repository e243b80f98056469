import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createDb, type Db } from "./index.ts";

let db: Db;
beforeAll(async () => {
  db = createDb(inject("databaseUrl"), { poolSize: 2 });
});
afterAll(() => db.$disconnect());

it("a read with relations inside a transaction sends its queries one at a time (no pg deprecation warning)", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  try {
    const org = await db.organization.create({
      data: { name: "serial-tx", teams: { create: { name: "t" } } },
      select: { id: true },
    });
    const rows = await db.$transaction((tx) =>
      // Three relations: Prisma reads them side by side, on the transaction's one connection.
      tx.organization.findMany({
        where: { id: org.id },
        select: { id: true, teams: { select: { id: true } }, users: true, providers: true },
      }),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.teams).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.includes("client.query()"))).toEqual([]);
  } finally {
    process.off("warning", onWarning);
  }
});
